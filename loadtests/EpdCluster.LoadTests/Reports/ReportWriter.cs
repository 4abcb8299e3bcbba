using EpdCluster.Charts;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Metrics;
using EpdCluster.LoadTests.Scenarios;

namespace EpdCluster.LoadTests.Reports;

/// <summary>Writes the results folder: result.json, steps.csv, sweep.csv, requests.csv, report.md and charts/*.png.</summary>
internal static class ReportWriter
{
    public const string ResultFile = "result.json";
    public const string ChartsFolder = "charts";

    /// <summary>Writes every report; returns the paths written and any note for the user (e.g. charts without a font).</summary>
    public static (List<string> Files, List<string> Notes) WriteAll(string directory, RunReport report, IReadOnlyList<CompletedStep> steps, ReportOptions options)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        var notes = new List<string>();

        void Write(string name, string content)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, content);
            files.Add(path);
        }

        Write(ResultFile, ReportJson.Serialize(report));
        Write("steps.csv", CsvReport.Steps(report, options.PercentileMetrics, options.MetricPercentiles));
        if (report.Steps.Any(s => s.Sweep is not null))
        {
            Write("sweep.csv", CsvReport.Sweeps(report));
        }

        Write("requests.csv", CsvReport.Requests(steps.SelectMany(s => s.Executions)));

        var charts = new Dictionary<string, List<string>>();
        if (options.Charts)
        {
            if (ChartFonts.Register(options.ChartFont) is null)
            {
                notes.Add("no font file found for chart text (install fonts-dejavu-core or pass --chart-font FILE.ttf); charts have no labels.");
            }

            Directory.CreateDirectory(Path.Combine(directory, ChartsFolder));
            foreach (var step in steps.Where(s => s.Report.Step.Kind != StepKind.Warmup))
            {
                var written = WriteCharts(directory, step, options);
                charts[step.Report.Step.Name] = written;
                files.AddRange(written.Select(relative => Path.Combine(directory, relative)));
            }
        }

        Write("report.md", MarkdownReport.Render(report, options.PercentileMetrics, options.MetricPercentiles, charts));
        return (files, notes);
    }

    private static List<string> WriteCharts(string directory, CompletedStep step, ReportOptions options)
    {
        var name = step.Report.Step.Name;
        var written = new List<string>();

        void Chart(string suffix, Func<string, bool> render)
        {
            var relative = Path.Combine(ChartsFolder, $"{name}-{suffix}.png");
            if (render(Path.Combine(directory, relative)))
            {
                written.Add(relative);
            }
        }

        if (step.Report.Sweep is { } sweep)
        {
            Chart("sweep", path => ChartRenderer.Sweep(sweep, name, path));
        }

        // For a sweep, the distributions shown are those of its best passing probe.
        var bestRate = step.Report.Sweep?.BestRate;
        var execution = step.Executions.LastOrDefault(e => step.Report.Sweep is null || e.Rate == bestRate)?.Execution;
        if (execution is null)
        {
            return written;
        }

        if (step.Report.Sweep is null)
        {
            Chart("latency-over-time", path => ChartRenderer.LatencyOverTime(execution, name, options.TimeWindows, path));
        }

        var histograms = StepSummaryCalculator.Histograms(execution.Outcomes);
        Chart("ttft-cdf", path => ChartRenderer.Cdf(histograms[LatencyMetric.Ttft], name, "TTFT", path));
        Chart("tpot-cdf", path => ChartRenderer.Cdf(histograms[LatencyMetric.Tpot], name, "TPOT", path));
        return written;
    }
}
