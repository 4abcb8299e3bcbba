using EpdCluster.Charts;
using EpdCluster.Simulation.Planning;
using EpdCluster.Simulation.Workloads;
using ScottPlot;

namespace EpdCluster.Planner;

/// <summary>A PNG bar chart of goodput per layout, in rank order, the recommended one highlighted; written beside the Markdown table.</summary>
internal static class PlanChart
{
    public const int HeightPixels = 560;

    /// <summary>Wide enough that every layout's label stays readable (16 workers: over a hundred layouts).</summary>
    public static int WidthPixels(int layouts) => Math.Max(900, 160 + (24 * layouts));

    /// <summary>Where the chart of a Markdown output goes: the same name with <c>.png</c>.</summary>
    public static string PathBeside(string markdownPath) => Path.ChangeExtension(markdownPath, ".png");

    /// <summary>Draws the chart; returns false when no font was found (the bars are drawn without text then).</summary>
    public static bool Write(IReadOnlyList<PlanRow> rows, Slo slo, int workers, string path)
    {
        ArgumentOutOfRangeException.ThrowIfZero(rows.Count);
        var labelled = ChartFonts.Register(null) is not null;
        var plot = new Plot();
        var bars = plot.Add.Bars(rows.Select(r => r.GoodputRps).ToArray());
        for (var i = 0; i < bars.Bars.Count; i++)
        {
            bars.Bars[i].FillColor = i == 0 && rows[0].GoodputRps > 0 ? Colors.DarkOrange : rows[i].Layout.IsAggregated ? Colors.Gray : Colors.SteelBlue;
        }

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, rows.Count).Select(i => (double)i)], [.. rows.Select(r => r.Layout.ToString())]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Axes.Margins(bottom: 0);
        plot.Title($"Goodput of {workers} workers per layout (>= 90% within TTFT {slo.TtftSeconds * 1000:0} ms, TPOT {slo.TpotSeconds * 1000:0} ms)");
        plot.YLabel("goodput (req/s)");
        plot.SavePng(path, WidthPixels(rows.Count), HeightPixels);
        return labelled;
    }
}
