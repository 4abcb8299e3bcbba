using HdrHistogram;

namespace EpdCluster.LoadTests.Metrics;

/// <summary>
/// Latencies recorded in microseconds into an HdrHistogram for percentiles and CDFs; mean, standard deviation (population,
/// like numpy's default), minimum and maximum are kept exactly alongside.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>One hour in microseconds: longer than any request timeout the tool allows by default.</summary>
    private const long HighestTrackableMicros = 3_600_000_000L;

    /// <summary>HdrHistogram's usual precision: any recorded value is reported within 0.1%.</summary>
    private const int SignificantDigits = 3;

    private readonly LongHistogram _histogram = new(HighestTrackableMicros, SignificantDigits);
    private double _sumSeconds;
    private double _sumSquaresSeconds;
    private double _minSeconds = double.PositiveInfinity;
    private double _maxSeconds = double.NegativeInfinity;

    public long Count { get; private set; }

    public void Record(double seconds)
    {
        var micros = (long)Math.Round(Math.Max(0, seconds) * 1e6);
        _histogram.RecordValue(Math.Min(micros, HighestTrackableMicros));
        Count++;
        _sumSeconds += seconds;
        _sumSquaresSeconds += seconds * seconds;
        _minSeconds = Math.Min(_minSeconds, seconds);
        _maxSeconds = Math.Max(_maxSeconds, seconds);
    }

    public double MeanMs => Count == 0 ? 0 : _sumSeconds / Count * 1000;

    public double StdMs
    {
        get
        {
            if (Count == 0)
            {
                return 0;
            }

            var mean = _sumSeconds / Count;
            return Math.Sqrt(Math.Max(0, (_sumSquaresSeconds / Count) - (mean * mean))) * 1000;
        }
    }

    public double MinMs => Count == 0 ? 0 : _minSeconds * 1000;

    public double MaxMs => Count == 0 ? 0 : _maxSeconds * 1000;

    /// <summary>
    /// HdrHistogram's value at <paramref name="percentile"/>: the smallest recorded value that at least that share of values
    /// do not exceed (nearest rank, not numpy's interpolation), at its bucket's upper edge, held within the exact min and max.
    /// </summary>
    public double PercentileMs(double percentile) =>
        Count == 0 ? 0 : Math.Clamp(_histogram.GetValueAtPercentile(percentile) / 1000.0, MinMs, MaxMs);

    /// <summary>(latency in ms, share of requests at or below it) for every distinct recorded bucket, ascending.</summary>
    public IReadOnlyList<(double ValueMs, double Fraction)> Cdf()
    {
        var points = new List<(double, double)>();
        if (Count == 0)
        {
            return points;
        }

        foreach (var value in _histogram.RecordedValues())
        {
            points.Add((Math.Clamp(_histogram.HighestEquivalentValue(value.ValueIteratedTo) / 1000.0, MinMs, MaxMs), (double)value.TotalCountToThisValue / _histogram.TotalCount));
        }

        return points;
    }

    public MetricSummary Summarize(IReadOnlyList<double> percentiles) => new()
    {
        Count = Count,
        MeanMs = MeanMs,
        MedianMs = PercentileMs(50),
        StdMs = StdMs,
        MinMs = MinMs,
        MaxMs = MaxMs,
        PercentilesMs = percentiles.ToDictionary(MetricSummary.PercentileKey, PercentileMs),
    };
}
