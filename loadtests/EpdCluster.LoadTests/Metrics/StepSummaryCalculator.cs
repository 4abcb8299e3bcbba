using System.Globalization;
using EpdCluster.LoadTests.Client;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Metrics;

/// <summary>Turns request outcomes into a <see cref="StepSummary"/> the way vLLM bench serve's calculate_metrics does.</summary>
internal static class StepSummaryCalculator
{
    public static StepSummary Summarize(
        IReadOnlyList<RequestOutcome> outcomes,
        double durationSeconds,
        ServiceLevelObjectives? slo,
        IReadOnlyList<double> percentiles,
        int peakConcurrency = 0,
        int notSent = 0)
    {
        var succeeded = outcomes.Where(o => o.Success).ToList();
        var histograms = Histograms(succeeded);
        var duration = Math.Max(durationSeconds, double.Epsilon);
        var inputTokens = succeeded.Sum(o => (long)o.PromptTokens);
        var outputTokens = succeeded.Sum(o => (long)o.OutputTokens);
        int? good = slo is null || slo.IsEmpty ? null : succeeded.Count(o => IsGood(o, slo));

        return new StepSummary
        {
            Requests = outcomes.Count,
            Completed = succeeded.Count,
            Failed = outcomes.Count - succeeded.Count,
            NotSent = notSent,
            DurationSeconds = durationSeconds,
            TotalInputTokens = inputTokens,
            TotalOutputTokens = outputTokens,
            TotalImageTokens = succeeded.Any(o => o.ImageTokens is not null) ? succeeded.Sum(o => (long)(o.ImageTokens ?? 0)) : null,
            TotalCachedTokens = succeeded.Any(o => o.CachedTokens is not null) ? succeeded.Sum(o => (long)(o.CachedTokens ?? 0)) : null,
            TotalImages = outcomes.Sum(o => (long)o.Images),
            RequestThroughput = succeeded.Count / duration,
            OutputThroughput = outputTokens / duration,
            TotalTokenThroughput = (inputTokens + outputTokens) / duration,
            GoodRequests = good,
            SloAttainment = good is { } g && outcomes.Count > 0 ? (double)g / outcomes.Count : null,
            RequestGoodput = good is { } n ? n / duration : null,
            PeakConcurrency = peakConcurrency,
            UsageMissing = succeeded.Count(o => !o.UsageReported),
            Metrics = histograms.Where(pair => pair.Value.Count > 0).ToDictionary(pair => pair.Key.Name(), pair => pair.Value.Summarize(percentiles)),
            ErrorsByKind = outcomes.Where(o => o.Error is not null)
                .GroupBy(o => ErrorKindName(o.Error!.Value))
                .ToDictionary(group => group.Key, group => group.Count()),
            ErrorsByStatus = outcomes.Where(o => o.HttpStatus is not null)
                .GroupBy(o => o.HttpStatus!.Value.ToString(CultureInfo.InvariantCulture))
                .ToDictionary(group => group.Key, group => group.Count()),
        };
    }

    /// <summary>A successful request is good when it produced a first token and met every SLO (measured ≤ objective).</summary>
    public static bool IsGood(RequestOutcome outcome, ServiceLevelObjectives slo) =>
        outcome.Success && outcome.TtftSeconds is { } ttft && slo.IsMet(ttft, outcome.TpotSeconds, outcome.E2elSeconds);

    /// <summary>One histogram per latency over successful requests: TTFT where a token came, TPOT for outputs of 2+ tokens, every ITL gap, E2E.</summary>
    public static Dictionary<LatencyMetric, LatencyHistogram> Histograms(IEnumerable<RequestOutcome> outcomes)
    {
        var histograms = LatencyMetricNames.All.ToDictionary(metric => metric, _ => new LatencyHistogram());
        foreach (var outcome in outcomes.Where(o => o.Success))
        {
            if (outcome.TtftSeconds is { } ttft)
            {
                histograms[LatencyMetric.Ttft].Record(ttft);
            }

            if (outcome.OutputTokens > 1 && outcome.Chunks > 0)
            {
                histograms[LatencyMetric.Tpot].Record(outcome.TpotSeconds);
            }

            foreach (var gap in outcome.ItlSeconds)
            {
                histograms[LatencyMetric.Itl].Record(gap);
            }

            histograms[LatencyMetric.E2el].Record(outcome.E2elSeconds);
        }

        return histograms;
    }

    public static string ErrorKindName(RequestErrorKind kind) => kind switch
    {
        RequestErrorKind.HttpStatus => "http_status",
        RequestErrorKind.Connection => "connection",
        RequestErrorKind.Timeout => "timeout",
        RequestErrorKind.StreamError => "stream_error",
        RequestErrorKind.Incomplete => "incomplete",
        RequestErrorKind.Protocol => "protocol",
        RequestErrorKind.Cancelled => "cancelled",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
