using EpdCluster.LoadTests.Metrics;

namespace EpdCluster.LoadTests.Configuration;

/// <summary>What the summaries show and where report files go.</summary>
internal sealed record ReportOptions
{
    /// <summary>The defaults (vLLM's own are ttft,tpot,itl and 99).</summary>
    public static IReadOnlyList<LatencyMetric> DefaultPercentileMetrics { get; } = LatencyMetricNames.All;

    public static IReadOnlyList<double> DefaultMetricPercentiles { get; } = [50, 90, 99];

    /// <summary>The tail that SLOs are usually set on: overview and sweep tables, sweep charts and CSVs always show it.</summary>
    public const double TailPercentile = 99;

    /// <summary>Enough windows to see a trend in a latency-over-time chart without windows of one or two requests.</summary>
    public const int DefaultTimeWindows = 20;

    /// <summary>A plain progress line every 5 s: often enough to see a stall, rare enough for a CI log.</summary>
    public static readonly TimeSpan DefaultPlainProgressInterval = TimeSpan.FromSeconds(5);

    public IReadOnlyList<LatencyMetric> PercentileMetrics { get; init; } = DefaultPercentileMetrics;

    public IReadOnlyList<double> MetricPercentiles { get; init; } = DefaultMetricPercentiles;

    /// <summary>The results folder; null: <c>load-results/&lt;name&gt;-&lt;UTC time&gt;</c> under the working directory.</summary>
    public string? OutputDirectory { get; init; }

    public bool Charts { get; init; } = true;

    /// <summary>A TTF file for chart text; null: the first of the usual system fonts that exists.</summary>
    public string? ChartFont { get; init; }

    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    public TimeSpan PlainProgressInterval { get; init; } = DefaultPlainProgressInterval;

    public int TimeWindows { get; init; } = DefaultTimeWindows;

    public static IReadOnlyList<double> ParsePercentiles(string list)
    {
        var values = new List<double>();
        foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(item, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p) || !(p > 0) || p > 100)
            {
                throw new LoadOptionsException($"--metric-percentiles: '{item}' is not a percentile in (0, 100].");
            }

            values.Add(p);
        }

        return values.Count > 0 ? values.Distinct().Order().ToList() : throw new LoadOptionsException("--metric-percentiles needs at least one percentile, e.g. 50,90,99.");
    }

    public void Validate()
    {
        if (TimeWindows < 1)
        {
            throw new LoadOptionsException("The number of chart time windows must be at least 1.");
        }

        if (ChartFont is not null && !File.Exists(ChartFont))
        {
            throw new LoadOptionsException($"--chart-font: no file at '{ChartFont}'.");
        }
    }
}
