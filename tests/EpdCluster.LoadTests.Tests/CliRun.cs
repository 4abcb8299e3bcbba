using EpdCluster.LoadTests.Cli;
using Spectre.Console;

namespace EpdCluster.LoadTests.Tests;

/// <summary>Runs <c>epd-load</c> in-process with captured output.</summary>
internal static class CliRun
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        var exitCode = await new LoadApp(console, output, error).RunAsync(args);
        return (exitCode, output.ToString(), error.ToString());
    }
}
