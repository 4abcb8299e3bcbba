using System.Globalization;
using System.Text;
using EpdCluster.Simulation.Planning;
using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Planner;

/// <summary>The ranked table with a bar per layout (goodput relative to the best), and the recommendation.</summary>
internal static class PlanReport
{
    private const int BarWidth = 30;

    public static string Format(IReadOnlyList<PlanRow> rows, Slo slo, int workers, string profile, string workload)
    {
        var text = new StringBuilder();
        var best = Math.Max(rows[0].GoodputRps, double.Epsilon);
        text.AppendLine(Invariant($"Goodput of {workers} workers (highest rate with >= 90% of requests within TTFT {slo.TtftSeconds * 1000:0} ms and TPOT {slo.TpotSeconds * 1000:0} ms)"));
        text.AppendLine(Invariant($"profile: {profile}; workload: {workload}"));
        text.AppendLine();
        text.AppendLine("| rank | layout | goodput (req/s) | TTFT p90 (s) | TPOT p90 (ms) | |");
        text.AppendLine("|---:|---|---:|---:|---:|---|");
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var bar = new string('#', (int)Math.Round(BarWidth * row.GoodputRps / best));
            text.AppendLine(Invariant($"| {i + 1} | {row.Layout} | {row.GoodputRps:0.000} | {row.TtftP90Seconds:0.000} | {row.TpotP90Seconds * 1000:0.0} | `{bar}` |"));
        }

        text.AppendLine();
        text.AppendLine(rows[0].GoodputRps > 0
            ? Invariant($"Recommended: {rows[0].Layout} ({rows[0].GoodputRps:0.000} req/s).")
            : "No layout meets the SLOs at any rate tried: relax the SLOs or add workers.");
        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
