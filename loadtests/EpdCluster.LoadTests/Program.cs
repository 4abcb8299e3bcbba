using EpdCluster.LoadTests.Cli;
using Spectre.Console;

return await new LoadApp(AnsiConsole.Console, Console.Out, Console.Error).RunAsync(args);
