namespace EpdCluster.LoadTests.Metrics;

/// <summary>Lower-case wire names of <see cref="LatencyMetric"/> (ttft, tpot, itl, e2el), as vLLM spells them.</summary>
internal static class LatencyMetricNames
{
    public static IReadOnlyList<LatencyMetric> All { get; } = [LatencyMetric.Ttft, LatencyMetric.Tpot, LatencyMetric.Itl, LatencyMetric.E2el];

    public static string Name(this LatencyMetric metric) => metric switch
    {
        LatencyMetric.Ttft => "ttft",
        LatencyMetric.Tpot => "tpot",
        LatencyMetric.Itl => "itl",
        LatencyMetric.E2el => "e2el",
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    public static LatencyMetric Parse(string name, string option) => name.Trim().ToLowerInvariant() switch
    {
        "ttft" => LatencyMetric.Ttft,
        "tpot" => LatencyMetric.Tpot,
        "itl" => LatencyMetric.Itl,
        "e2el" => LatencyMetric.E2el,
        _ => throw new Configuration.LoadOptionsException($"{option}: unknown metric '{name}'; use ttft, tpot, itl or e2el."),
    };

    /// <summary>Parses a comma-separated list such as <c>ttft,tpot,itl</c>.</summary>
    public static IReadOnlyList<LatencyMetric> ParseList(string list, string option)
    {
        var metrics = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => Parse(name, option))
            .Distinct()
            .ToList();
        return metrics.Count > 0 ? metrics : throw new Configuration.LoadOptionsException($"{option} needs at least one of ttft, tpot, itl, e2el.");
    }
}
