using System.Globalization;
using System.Text;
using EpdCluster.LoadTests.Metrics;

namespace EpdCluster.LoadTests.Reports;

/// <summary><c>compare</c>: two result files side by side, step by step (matched by name), with the relative change.</summary>
internal static class ReportComparison
{
    public static List<TextTable> Tables(RunReport baseline, RunReport candidate)
    {
        var tables = new List<TextTable>
        {
            new("runs", ["", "baseline", "candidate"],
            [
                ["scenario", baseline.Scenario, candidate.Scenario],
                ["target", baseline.BaseUrl, candidate.BaseUrl],
                ["model", baseline.Model, candidate.Model],
                ["started", baseline.StartedAt.ToString("u", CultureInfo.InvariantCulture), candidate.StartedAt.ToString("u", CultureInfo.InvariantCulture)],
                ["workload", baseline.WorkloadDescription, candidate.WorkloadDescription],
                ["SLOs", baseline.Slo?.ToString() ?? "none", candidate.Slo?.ToString() ?? "none"],
                ["seed", baseline.Seed.ToString(CultureInfo.InvariantCulture), candidate.Seed.ToString(CultureInfo.InvariantCulture)],
            ]),
        };

        var candidateSteps = candidate.Steps.ToDictionary(s => s.Step.Name);
        foreach (var a in baseline.Steps)
        {
            if (!candidateSteps.TryGetValue(a.Step.Name, out var b) || a.Summary is null && b.Summary is null)
            {
                continue;
            }

            var rows = new List<IReadOnlyList<string>>();

            void Add(string name, double? x, double? y, string format = "0.##") =>
                rows.Add([name, ReportTables.Number(x, format), ReportTables.Number(y, format), Change(x, y)]);

            if (a.Sweep is not null || b.Sweep is not null)
            {
                Add("goodput rate (req/s, sweep)", a.Sweep?.BestRate, b.Sweep?.BestRate, "0.###");
            }

            Add("completed", a.Summary?.Completed, b.Summary?.Completed, "0");
            Add("failed", a.Summary?.Failed, b.Summary?.Failed, "0");
            Add("request throughput (req/s)", a.Summary?.RequestThroughput, b.Summary?.RequestThroughput);
            Add("output throughput (tok/s)", a.Summary?.OutputThroughput, b.Summary?.OutputThroughput);
            Add("request goodput (req/s)", a.Summary?.RequestGoodput, b.Summary?.RequestGoodput);
            Add("SLO attainment (%)", a.Summary?.SloAttainment * 100, b.Summary?.SloAttainment * 100, "0.#");
            foreach (var metric in LatencyMetricNames.All)
            {
                var label = metric.Name().ToUpperInvariant();
                var ma = a.Summary?.Metric(metric);
                var mb = b.Summary?.Metric(metric);
                Add($"mean {label} (ms)", ma?.MeanMs, mb?.MeanMs);
                foreach (var key in (ma?.PercentilesMs.Keys ?? Enumerable.Empty<string>()).Intersect(mb?.PercentilesMs.Keys ?? Enumerable.Empty<string>()).OrderBy(k => double.Parse(k[1..], CultureInfo.InvariantCulture)))
                {
                    Add($"{key} {label} (ms)", ma!.PercentilesMs[key], mb!.PercentilesMs[key]);
                }
            }

            tables.Add(new TextTable($"step {a.Step.Name}", ["metric", "baseline", "candidate", "change"], rows));
        }

        var unmatched = baseline.Steps.Select(s => s.Step.Name).Except(candidateSteps.Keys)
            .Concat(candidateSteps.Keys.Except(baseline.Steps.Select(s => s.Step.Name)))
            .ToList();
        if (unmatched.Count > 0)
        {
            tables.Add(new TextTable("steps in only one file", ["step"], unmatched.Select(n => (IReadOnlyList<string>)[n]).ToList()));
        }

        return tables;
    }

    public static string Markdown(RunReport baseline, RunReport candidate)
    {
        var md = new StringBuilder().AppendLine($"# Comparison: {baseline.Scenario} vs {candidate.Scenario}").AppendLine();
        foreach (var table in Tables(baseline, candidate))
        {
            MarkdownTables.Append(md, table);
        }

        return md.ToString();
    }

    /// <summary>Relative change from baseline to candidate, e.g. "+12.5%".</summary>
    public static string Change(double? baseline, double? candidate)
    {
        if (baseline is not { } a || candidate is not { } b || !double.IsFinite(a) || !double.IsFinite(b))
        {
            return "-";
        }

        if (a == 0)
        {
            return b == 0 ? "0%" : "new";
        }

        return ((b - a) / Math.Abs(a) * 100).ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture) + "%";
    }
}
