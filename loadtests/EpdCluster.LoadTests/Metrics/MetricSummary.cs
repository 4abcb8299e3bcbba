using System.Globalization;

namespace EpdCluster.LoadTests.Metrics;

/// <summary>Mean, median, standard deviation, extremes and chosen percentiles of one latency, in milliseconds.</summary>
internal sealed record MetricSummary
{
    public long Count { get; init; }

    public double MeanMs { get; init; }

    public double MedianMs { get; init; }

    public double StdMs { get; init; }

    public double MinMs { get; init; }

    public double MaxMs { get; init; }

    /// <summary>Keyed "p50", "p99", "p99.9".</summary>
    public Dictionary<string, double> PercentilesMs { get; init; } = [];

    public static string PercentileKey(double percentile) => "p" + percentile.ToString("0.###", CultureInfo.InvariantCulture);

    public double? Percentile(double percentile) => PercentilesMs.TryGetValue(PercentileKey(percentile), out var value) ? value : null;
}
