using EpdCluster.LoadTests.Metrics;
using Spectre.Console;

namespace EpdCluster.LoadTests.Reports;

/// <summary>Prints report tables with Spectre.Console (plain text when the output is not a terminal).</summary>
internal static class ConsoleReport
{
    public static void Write(IAnsiConsole console, TextTable table)
    {
        var rendered = new Table { Title = new TableTitle(Markup.Escape(table.Title)) };
        foreach (var header in table.Headers)
        {
            rendered.AddColumn(new TableColumn(Markup.Escape(header)));
        }

        foreach (var row in table.Rows)
        {
            rendered.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Text(cell)).ToArray());
        }

        console.Write(rendered);
    }

    public static void WriteStep(IAnsiConsole console, StepReport step, IReadOnlyList<LatencyMetric> metrics, IReadOnlyList<double> percentiles)
    {
        if (step.Sweep is not null)
        {
            Write(console, ReportTables.Sweep(step));
        }

        if (step.Summary is not null)
        {
            Write(console, ReportTables.Detail(step, metrics, percentiles));
        }

        if (step.TimeLimitReached)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(step.Step.Name)} reached its time limit; open requests were cancelled.[/]");
        }
    }
}
