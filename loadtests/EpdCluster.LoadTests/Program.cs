using EpdCluster.LoadTests.Cli;
using Spectre.Console;

// Redirected output (CI logs, files) would otherwise wrap tables at 80 columns; 160 fits the widest summary table.
const int RedirectedWidth = 160;
if (Console.IsOutputRedirected)
{
    AnsiConsole.Console.Profile.Width = RedirectedWidth;
}

return await new LoadApp(AnsiConsole.Console, Console.Out, Console.Error).RunAsync(args);
