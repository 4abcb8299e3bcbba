using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Metrics;
using EpdCluster.LoadTests.Running;
using EpdCluster.LoadTests.Sweeps;
using ScottPlot;

namespace EpdCluster.LoadTests.Reports;

/// <summary>PNG charts with ScottPlot: latency percentiles over time, CDFs of TTFT and TPOT, and a sweep's attainment and p99s against rate.</summary>
internal static class ChartRenderer
{
    /// <summary>Readable on a laptop screen and in a Markdown preview.</summary>
    private const int WidthPixels = 900;
    private const int HeightPixels = 540;

    /// <summary>The typical request, shown beside the tail.</summary>
    private const double MedianPercentile = 50;

    private const double HighPercentile = ReportOptions.TailPercentile;

    /// <summary>TTFT and TPOT p50/p99 per time window (by send time) over the step.</summary>
    public static bool LatencyOverTime(StepExecution execution, string title, int windows, string path)
    {
        var succeeded = execution.Outcomes.Where(o => o.Success).ToList();
        if (succeeded.Count == 0)
        {
            return false;
        }

        var span = Math.Max(succeeded.Max(o => o.StartOffsetSeconds), double.Epsilon);
        var width = span / windows;
        var series = new Dictionary<string, (List<double> X, List<double> Y)>();
        foreach (var window in succeeded.GroupBy(o => Math.Min(windows - 1, (int)(o.StartOffsetSeconds / width))).OrderBy(g => g.Key))
        {
            var histograms = StepSummaryCalculator.Histograms(window);
            var x = (window.Key + 0.5) * width;
            foreach (var metric in new[] { LatencyMetric.Ttft, LatencyMetric.Tpot })
            {
                if (histograms[metric].Count == 0)
                {
                    continue;
                }

                foreach (var percentile in new[] { MedianPercentile, HighPercentile })
                {
                    var name = $"{metric.Name().ToUpperInvariant()} p{percentile}";
                    if (!series.TryGetValue(name, out var points))
                    {
                        series[name] = points = ([], []);
                    }

                    points.X.Add(x);
                    points.Y.Add(histograms[metric].PercentileMs(percentile));
                }
            }
        }

        var plot = new Plot();
        foreach (var (name, points) in series)
        {
            var scatter = plot.Add.Scatter(points.X.ToArray(), points.Y.ToArray());
            scatter.LegendText = name;
        }

        plot.Title($"{title}: latency over time");
        plot.XLabel("seconds since the step started (by send time)");
        plot.YLabel("milliseconds");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, WidthPixels, HeightPixels);
        return true;
    }

    /// <summary>The share of requests at or below each latency.</summary>
    public static bool Cdf(LatencyHistogram histogram, string title, string metricLabel, string path)
    {
        var points = histogram.Cdf();
        if (points.Count == 0)
        {
            return false;
        }

        var plot = new Plot();
        var scatter = plot.Add.ScatterLine(points.Select(p => p.ValueMs).ToArray(), points.Select(p => p.Fraction * 100).ToArray());
        scatter.ConnectStyle = ConnectStyle.StepHorizontal;
        scatter.LegendText = $"{metricLabel} ({histogram.Count} values)";
        plot.Title($"{title}: CDF of {metricLabel}");
        plot.XLabel($"{metricLabel} (ms)");
        plot.YLabel("% of requests at or below");
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, WidthPixels, HeightPixels);
        return true;
    }

    /// <summary>Attainment (left axis) and TTFT/TPOT p99 (right axis) against the probed rates, with the target and the best rate marked.</summary>
    public static bool Sweep(SweepResult sweep, string title, string path)
    {
        if (sweep.Probes.Count == 0)
        {
            return false;
        }

        var probes = sweep.Probes.OrderBy(p => p.Rate).ToList();
        var rates = probes.Select(p => p.Rate).ToArray();
        var plot = new Plot();
        var attainment = plot.Add.Scatter(rates, probes.Select(p => (p.Summary.SloAttainment ?? 0) * 100).ToArray());
        attainment.LegendText = "SLO attainment (%)";
        attainment.LineWidth = 2;

        var target = plot.Add.HorizontalLine(sweep.TargetAttainment * 100, pattern: LinePattern.Dashed);
        target.LegendText = $"target {sweep.TargetAttainment * 100:0.#}%";
        if (sweep.BestRate is { } best)
        {
            var bestLine = plot.Add.VerticalLine(best, pattern: LinePattern.Dotted);
            bestLine.LegendText = $"goodput {best:0.###} req/s";
        }

        foreach (var metric in new[] { LatencyMetric.Ttft, LatencyMetric.Tpot })
        {
            var p99 = probes.Select(p => p.Summary.Metric(metric)?.Percentile(HighPercentile) ?? double.NaN).ToArray();
            var line = plot.Add.Scatter(rates, p99);
            line.LegendText = $"{metric.Name().ToUpperInvariant()} p99 (ms, right)";
            line.Axes.YAxis = plot.Axes.Right;
        }

        plot.Title($"{title}: attainment and p99 latency vs request rate");
        plot.XLabel("request rate (req/s)");
        plot.Axes.Left.Label.Text = "SLO attainment (%)";
        plot.Axes.Right.Label.Text = "p99 latency (ms)";
        plot.Axes.SetLimitsY(0, 105, plot.Axes.Left);
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, WidthPixels, HeightPixels);
        return true;
    }
}
