namespace EpdCluster.LoadTests.Metrics;

/// <summary>The per-request latencies vLLM bench serve reports (<c>--percentile-metrics</c> names).</summary>
internal enum LatencyMetric
{
    /// <summary>Time to first token: first content chunk − request sent.</summary>
    Ttft,

    /// <summary>Time per output token: (last − first token time) / (output tokens − 1).</summary>
    Tpot,

    /// <summary>Inter-token latency: every gap between consecutive content chunks.</summary>
    Itl,

    /// <summary>End-to-end latency: end of stream − request sent.</summary>
    E2el,
}
