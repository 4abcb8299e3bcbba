using System.Globalization;
using EpdCluster.LoadTests.Client;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Metrics;
using EpdCluster.LoadTests.Reports;
using EpdCluster.LoadTests.Scenarios;
using EpdCluster.LoadTests.Sweeps;
using EpdCluster.LoadTests.Workloads;
using Spectre.Console;

namespace EpdCluster.LoadTests.Running;

/// <summary>
/// Runs a scenario's steps in order against one workload (each step continues where the previous one left off, so a
/// warm-up never sends the measured requests ahead of time), prints each step's summary, and returns the result.
/// </summary>
internal sealed class ScenarioRunner(TargetOptions target, ReportOptions reports, IAnsiConsole console)
{
    /// <summary>Separates the arrival seeds of sweep probes within one step.</summary>
    private const int ProbeSeedStride = 1000;

    public async Task<(RunReport Report, List<CompletedStep> Steps)> RunAsync(
        Scenario scenario,
        IWorkload workload,
        ServiceLevelObjectives? slo,
        int seed,
        CancellationToken cancellation)
    {
        using var http = ChatCompletionClient.CreateHttpClient();
        var runner = new StepRunner(new ChatCompletionClient(http, target), target);
        var display = new ProgressDisplay(console, reports);
        // Tables and charts show the tail percentile whatever else was asked for.
        var percentiles = reports.MetricPercentiles.Union([ReportOptions.TailPercentile]).Order().ToList();
        var startedAt = DateTimeOffset.UtcNow;
        var completed = new List<CompletedStep>();

        console.MarkupLine(Markup.Escape($"epd-load: scenario {scenario.Name} against {target.RequestUri} (model {target.Model}), seed {seed}"));
        console.MarkupLine(Markup.Escape($"workload: {workload.Description}; SLOs: {slo?.ToString() ?? "none"}"));
        for (var stepIndex = 0; stepIndex < scenario.Steps.Count && !cancellation.IsCancellationRequested; stepIndex++)
        {
            var step = scenario.Steps[stepIndex];
            var arrivalSeed = SeedMixer.Mix(seed, stepIndex * ProbeSeedStride, SeedMixer.ArrivalStream);
            console.MarkupLine(Markup.Escape($"step {step.Name} ({ReportTables.Kind(step.Kind)})"));
            var done = step.Kind == StepKind.Sweep
                ? await RunSweepAsync(step, runner, display, workload, slo, percentiles, arrivalSeed, cancellation)
                : await RunStepAsync(step, runner, display, workload, slo, percentiles, arrivalSeed, cancellation);
            completed.Add(done);
            ConsoleReport.WriteStep(console, done.Report, reports.PercentileMetrics, reports.MetricPercentiles);
        }

        var report = new RunReport
        {
            Scenario = scenario.Name,
            Description = scenario.Description,
            StartedAt = startedAt,
            FinishedAt = DateTimeOffset.UtcNow,
            BaseUrl = target.BaseUrl.GetLeftPart(UriPartial.Authority),
            Endpoint = target.Endpoint,
            Model = target.Model,
            Seed = seed,
            Slo = slo,
            PercentileMetrics = reports.PercentileMetrics.Select(m => m.Name()).ToList(),
            MetricPercentiles = [.. reports.MetricPercentiles],
            Workload = scenario.Workload,
            WorkloadDescription = workload.Description,
            Steps = completed.Select(c => c.Report).ToList(),
        };
        ConsoleReport.Write(console, ReportTables.Overview(report));
        return (report, completed);
    }

    private static async Task<CompletedStep> RunStepAsync(
        ScenarioStep step, StepRunner runner, ProgressDisplay display, IWorkload workload, ServiceLevelObjectives? slo,
        IReadOnlyList<double> percentiles, int arrivalSeed, CancellationToken cancellation)
    {
        var progress = new StepProgress(step.Name);
        var execution = await display.TrackAsync(progress, () => runner.RunAsync(step.ToTraffic(), workload, new Random(arrivalSeed), progress, cancellation));
        var report = new StepReport
        {
            Step = step,
            StartedAt = execution.StartedAt,
            TimeLimitReached = execution.TimeLimitReached,
            Summary = Summarize(execution, slo, percentiles),
        };
        return new CompletedStep(report, [new RecordedExecution(step.Name, step.Name, null, execution)]);
    }

    private async Task<CompletedStep> RunSweepAsync(
        ScenarioStep step, StepRunner runner, ProgressDisplay display, IWorkload workload, ServiceLevelObjectives? slo,
        IReadOnlyList<double> percentiles, int arrivalSeed, CancellationToken cancellation)
    {
        var executions = new List<RecordedExecution>();
        var sweep = new GoodputSweep(step.Sweep!);
        var result = await sweep.RunAsync(async rate =>
        {
            var label = string.Create(CultureInfo.InvariantCulture, $"{step.Name}@{rate:0.###}");
            var progress = new StepProgress(label);
            var probeSeed = arrivalSeed + executions.Count + 1;
            var execution = await display.TrackAsync(progress, () => runner.RunAsync(step.ToTraffic(rate), workload, new Random(probeSeed), progress, cancellation));
            executions.Add(new RecordedExecution(step.Name, label, rate, execution));
            var summary = Summarize(execution, slo, percentiles);
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"  probe {rate:0.###} req/s: attainment {ReportTables.Percent(summary.SloAttainment)}, TTFT p99 {ReportTables.Number(summary.Metric(LatencyMetric.Ttft)?.Percentile(ReportOptions.TailPercentile), "0.0")} ms, TPOT p99 {ReportTables.Number(summary.Metric(LatencyMetric.Tpot)?.Percentile(ReportOptions.TailPercentile), "0.0")} ms")));
            return summary;
        });

        var report = new StepReport
        {
            Step = step,
            StartedAt = executions[0].Execution.StartedAt,
            TimeLimitReached = executions.Any(e => e.Execution.TimeLimitReached),
            Summary = result.Probes.LastOrDefault(p => p.Rate == result.BestRate)?.Summary,
            Sweep = result,
        };
        return new CompletedStep(report, executions);
    }

    private static StepSummary Summarize(StepExecution execution, ServiceLevelObjectives? slo, IReadOnlyList<double> percentiles) =>
        StepSummaryCalculator.Summarize(execution.Outcomes, execution.DurationSeconds, slo, percentiles, execution.PeakConcurrency, execution.NotSent);
}
