using System.Globalization;
using System.Text;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Metrics;

namespace EpdCluster.LoadTests.Reports;

/// <summary>CSV files: one row per step (<c>steps.csv</c>), per sweep probe (<c>sweep.csv</c>) and per request (<c>requests.csv</c>).</summary>
internal static class CsvReport
{
    public static string Steps(RunReport report, IReadOnlyList<LatencyMetric> metrics, IReadOnlyList<double> percentiles)
    {
        var header = new List<string>
        {
            "step", "kind", "request_rate", "requests", "completed", "failed", "duration_s", "request_throughput", "output_throughput",
            "total_token_throughput", "request_goodput", "slo_attainment", "peak_concurrency",
        };
        foreach (var metric in metrics)
        {
            var name = metric.Name();
            header.AddRange([$"mean_{name}_ms", $"median_{name}_ms", $"std_{name}_ms"]);
            header.AddRange(percentiles.Select(p => $"{MetricSummary.PercentileKey(p)}_{name}_ms"));
        }

        var csv = new StringBuilder().AppendLine(string.Join(',', header));
        foreach (var step in report.Steps.Where(s => s.Summary is not null))
        {
            var s = step.Summary!;
            var row = new List<string>
            {
                step.Step.Name, ReportTables.Kind(step.Step.Kind), Rate(step.Sweep?.BestRate ?? step.Step.RequestRate),
                Int(s.Requests), Int(s.Completed), Int(s.Failed), Num(s.DurationSeconds), Num(s.RequestThroughput), Num(s.OutputThroughput),
                Num(s.TotalTokenThroughput), Num(s.RequestGoodput), Num(s.SloAttainment), Int(s.PeakConcurrency),
            };
            foreach (var metric in metrics)
            {
                var m = s.Metric(metric);
                row.AddRange([Num(m?.MeanMs), Num(m?.MedianMs), Num(m?.StdMs)]);
                row.AddRange(percentiles.Select(p => Num(m?.Percentile(p))));
            }

            csv.AppendLine(string.Join(',', row));
        }

        return csv.ToString();
    }

    public static string Sweeps(RunReport report)
    {
        var csv = new StringBuilder().AppendLine("step,rate,passed,slo_attainment,request_goodput,request_throughput,completed,failed,p99_ttft_ms,p99_tpot_ms");
        foreach (var step in report.Steps.Where(s => s.Sweep is not null))
        {
            foreach (var probe in step.Sweep!.Probes)
            {
                var s = probe.Summary;
                csv.AppendLine(string.Join(',',
                    step.Step.Name, Num(probe.Rate), probe.Passed ? "true" : "false", Num(s.SloAttainment), Num(s.RequestGoodput),
                    Num(s.RequestThroughput), Int(s.Completed), Int(s.Failed),
                    Num(s.Metric(LatencyMetric.Ttft)?.Percentile(ReportOptions.TailPercentile)), Num(s.Metric(LatencyMetric.Tpot)?.Percentile(ReportOptions.TailPercentile))));
            }
        }

        return csv.ToString();
    }

    public static string Requests(IEnumerable<RecordedExecution> executions)
    {
        var csv = new StringBuilder().AppendLine(
            "step,probe_rate,index,start_s,success,error,http_status,ttft_ms,tpot_ms,e2el_ms,itl_mean_ms,itl_max_ms,chunks,prompt_tokens,image_tokens,cached_tokens,output_tokens,max_tokens,images");
        foreach (var recorded in executions)
        {
            foreach (var o in recorded.Execution.Outcomes)
            {
                csv.AppendLine(string.Join(',',
                    recorded.Step, Num(recorded.Rate), Int(o.Index), Num(o.StartOffsetSeconds), o.Success ? "true" : "false",
                    o.Error is { } e ? StepSummaryCalculator.ErrorKindName(e) : "", o.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "",
                    Num(o.TtftSeconds * 1000), Num(o.OutputTokens > 1 ? o.TpotSeconds * 1000 : null), Num(o.E2elSeconds * 1000),
                    Num(o.ItlSeconds.Count > 0 ? o.ItlSeconds.Average() * 1000 : null), Num(o.ItlSeconds.Count > 0 ? o.ItlSeconds.Max() * 1000 : null),
                    Int(o.Chunks), Int(o.PromptTokens), o.ImageTokens?.ToString(CultureInfo.InvariantCulture) ?? "",
                    o.CachedTokens?.ToString(CultureInfo.InvariantCulture) ?? "", Int(o.OutputTokens), Int(o.MaxTokens), Int(o.Images)));
            }
        }

        return csv.ToString();
    }

    private static string Num(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("0.######", CultureInfo.InvariantCulture) : value is { } inf && double.IsPositiveInfinity(inf) ? "inf" : "";

    private static string Rate(double? value) => Num(value);

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
