using System.Globalization;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Metrics;
using EpdCluster.LoadTests.Scenarios;
using EpdCluster.LoadTests.Sweeps;

namespace EpdCluster.LoadTests.Reports;

/// <summary>The tables every report shows, built once from the result so the console and Markdown say the same thing.</summary>
internal static class ReportTables
{
    public static string Number(double? value, string format = "0.##") =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    public static string Percent(double? fraction) => fraction is { } f ? (f * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : "-";

    public static string Rate(double? rate) => rate switch
    {
        null => "-",
        { } r when double.IsPositiveInfinity(r) => "inf",
        { } r => Number(r, "0.###"),
    };

    /// <summary>One row per step: the figures a capacity planner compares first.</summary>
    public static TextTable Overview(RunReport report)
    {
        var rows = report.Steps.Select(step =>
        {
            var s = step.Summary;
            return (IReadOnlyList<string>)
            [
                step.Step.Name,
                Kind(step.Step.Kind),
                RateColumn(step),
                s is null ? "-" : $"{s.Completed}/{s.Requests}",
                Number(s?.DurationSeconds, "0.0"),
                Number(s?.RequestThroughput),
                Number(s?.OutputThroughput, "0.0"),
                Number(s?.RequestGoodput),
                Percent(s?.SloAttainment),
                Number(s?.Metric(LatencyMetric.Ttft)?.Percentile(ReportOptions.TailPercentile), "0.0"),
                Number(s?.Metric(LatencyMetric.Tpot)?.Percentile(ReportOptions.TailPercentile), "0.0"),
            ];
        }).ToList();
        return new TextTable(
            $"{report.Scenario}: steps",
            ["step", "kind", "rate (req/s)", "ok/sent", "duration s", "req/s", "out tok/s", "goodput req/s", "SLO attainment", "TTFT p99 ms", "TPOT p99 ms"],
            rows);
    }

    /// <summary>vLLM's result block for one step: counts, throughputs, and the chosen latency statistics.</summary>
    public static TextTable Detail(StepReport step, IReadOnlyList<LatencyMetric> metrics, IReadOnlyList<double> percentiles)
    {
        var s = step.Summary!;
        var rows = new List<IReadOnlyList<string>>
        {
            Row("Successful requests", s.Completed.ToString(CultureInfo.InvariantCulture)),
            Row("Failed requests", s.Failed.ToString(CultureInfo.InvariantCulture)),
            Row("Peak concurrency", s.PeakConcurrency.ToString(CultureInfo.InvariantCulture)),
            Row("Duration (s)", Number(s.DurationSeconds)),
            Row("Total input tokens", s.TotalInputTokens.ToString(CultureInfo.InvariantCulture)),
            Row("Total generated tokens", s.TotalOutputTokens.ToString(CultureInfo.InvariantCulture)),
            Row("Images sent", s.TotalImages.ToString(CultureInfo.InvariantCulture)),
            Row("Request throughput (req/s)", Number(s.RequestThroughput)),
            Row("Output token throughput (tok/s)", Number(s.OutputThroughput)),
            Row("Total token throughput (tok/s)", Number(s.TotalTokenThroughput)),
        };
        if (s.TotalImageTokens is { } imageTokens)
        {
            rows.Add(Row("Image tokens", imageTokens.ToString(CultureInfo.InvariantCulture)));
        }

        if (s.TotalCachedTokens is { } cached)
        {
            rows.Add(Row("Cached prompt tokens", cached.ToString(CultureInfo.InvariantCulture)));
        }

        if (s.SloAttainment is not null)
        {
            rows.Add(Row("Request goodput (req/s)", Number(s.RequestGoodput)));
            rows.Add(Row("SLO attainment", Percent(s.SloAttainment)));
        }

        foreach (var metric in metrics)
        {
            var m = s.Metric(metric);
            var label = metric.Name().ToUpperInvariant();
            rows.Add(Row($"Mean {label} (ms)", Number(m?.MeanMs)));
            rows.Add(Row($"Median {label} (ms)", Number(m?.MedianMs)));
            rows.Add(Row($"Std {label} (ms)", Number(m?.StdMs)));
            foreach (var p in percentiles)
            {
                rows.Add(Row($"P{Number(p, "0.###")} {label} (ms)", Number(m?.Percentile(p))));
            }
        }

        foreach (var (kind, count) in s.ErrorsByKind.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            rows.Add(Row($"Errors: {kind}", count.ToString(CultureInfo.InvariantCulture)));
        }

        foreach (var (status, count) in s.ErrorsByStatus.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            rows.Add(Row($"Errors: HTTP {status}", count.ToString(CultureInfo.InvariantCulture)));
        }

        if (s.UsageMissing > 0)
        {
            rows.Add(Row("Requests without usage (tokens = chunks)", s.UsageMissing.ToString(CultureInfo.InvariantCulture)));
        }

        return new TextTable($"{step.Step.Name} ({Kind(step.Step.Kind)}{(step.Sweep is null ? "" : ", best probe")})", ["metric", "value"], rows);
    }

    /// <summary>Every probe of a sweep, by rate.</summary>
    public static TextTable Sweep(StepReport step)
    {
        var sweep = step.Sweep!;
        var rows = sweep.Probes.OrderBy(p => p.Rate).Select(p => (IReadOnlyList<string>)
        [
            Rate(p.Rate),
            Percent(p.Summary.SloAttainment),
            Number(p.Summary.RequestGoodput),
            Number(p.Summary.RequestThroughput),
            Number(p.Summary.Metric(LatencyMetric.Ttft)?.Percentile(ReportOptions.TailPercentile), "0.0"),
            Number(p.Summary.Metric(LatencyMetric.Tpot)?.Percentile(ReportOptions.TailPercentile), "0.0"),
            $"{p.Summary.Failed}",
            p.Passed ? "yes" : "no",
        ]).ToList();
        return new TextTable(
            $"{step.Step.Name}: sweep for attainment >= {Percent(sweep.TargetAttainment)} — {BestRateText(sweep)}",
            ["rate (req/s)", "SLO attainment", "goodput req/s", "req/s", "TTFT p99 ms", "TPOT p99 ms", "failed", "passed"],
            rows);
    }

    public static string BestRateText(SweepResult sweep) => sweep.BestRate switch
    {
        null => "no probed rate met the target",
        { } best when sweep.LimitAboveRange => $"goodput >= {Rate(best)} req/s (the highest rate probed passed; raise max_rate)",
        { } best => $"goodput {Rate(best)} req/s",
    };

    public static string Kind(StepKind kind) => kind.ToString().ToLowerInvariant();

    private static string RateColumn(StepReport step) => step.Step.Kind switch
    {
        StepKind.Sweep => step.Sweep?.BestRate is { } best ? $"best {Rate(best)}" : "-",
        StepKind.Ramp => $"{Rate(step.Step.RampUp?.StartRps)}→{Rate(step.Step.RampUp?.EndRps)}",
        _ => step.Step.RequestRate is null ? "inf/trace" : Rate(step.Step.RequestRate),
    };

    private static IReadOnlyList<string> Row(string name, string value) => [name, value];
}
