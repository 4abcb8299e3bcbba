namespace EpdCluster.LoadTests.Metrics;

/// <summary>The aggregates of one step, named after vLLM bench serve's result fields where they have one.</summary>
internal sealed record StepSummary
{
    /// <summary>Requests sent (completed + failed).</summary>
    public int Requests { get; init; }

    public int Completed { get; init; }

    public int Failed { get; init; }

    /// <summary>Arrivals never sent because the step hit its time limit first.</summary>
    public int NotSent { get; init; }

    /// <summary>From the start of the step until the last request finished.</summary>
    public double DurationSeconds { get; init; }

    public long TotalInputTokens { get; init; }

    public long TotalOutputTokens { get; init; }

    /// <summary>Sum of usage.prompt_tokens_details.image_tokens, when the server reports it.</summary>
    public long? TotalImageTokens { get; init; }

    /// <summary>Sum of usage.prompt_tokens_details.cached_tokens, when the server reports it.</summary>
    public long? TotalCachedTokens { get; init; }

    public long TotalImages { get; init; }

    /// <summary>Completed requests per second.</summary>
    public double RequestThroughput { get; init; }

    /// <summary>Output tokens per second.</summary>
    public double OutputThroughput { get; init; }

    /// <summary>Input plus output tokens per second.</summary>
    public double TotalTokenThroughput { get; init; }

    /// <summary>Requests that succeeded and met every SLO; null without SLOs.</summary>
    public int? GoodRequests { get; init; }

    /// <summary>Good requests / requests sent; null without SLOs.</summary>
    public double? SloAttainment { get; init; }

    /// <summary>Good requests per second (vLLM's request_goodput); null without SLOs.</summary>
    public double? RequestGoodput { get; init; }

    public int PeakConcurrency { get; init; }

    /// <summary>Successful requests whose stream carried no usage (token counts fell back to content chunks).</summary>
    public int UsageMissing { get; init; }

    /// <summary>Keyed ttft, tpot, itl, e2el.</summary>
    public Dictionary<string, MetricSummary> Metrics { get; init; } = [];

    public Dictionary<string, int> ErrorsByKind { get; init; } = [];

    /// <summary>Keyed by HTTP status code, for failures that had one.</summary>
    public Dictionary<string, int> ErrorsByStatus { get; init; } = [];

    public MetricSummary? Metric(LatencyMetric metric) => Metrics.GetValueOrDefault(metric.Name());
}
