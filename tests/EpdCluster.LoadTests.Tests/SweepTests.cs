using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Metrics;
using EpdCluster.LoadTests.Scenarios;
using EpdCluster.LoadTests.Sweeps;
using EpdCluster.LoadTests.Workloads;

namespace EpdCluster.LoadTests.Tests;

[Collection(TimingCollection.Name)]
public sealed class SweepTests
{
    private static Func<double, Task<StepSummary>> Threshold(double limit, List<double>? probed = null) => rate =>
    {
        probed?.Add(rate);
        return Task.FromResult(new StepSummary { SloAttainment = rate <= limit ? 0.95 : 0.5 });
    };

    [Fact]
    public async Task Bisection_brackets_the_highest_passing_rate_within_the_tolerance()
    {
        var probed = new List<double>();
        var sweep = new GoodputSweep(new SweepOptions { MinRate = 1, MaxRate = 64, MaxProbes = 20, RateTolerance = 0.02 });

        var result = await sweep.RunAsync(Threshold(23.7, probed));

        Assert.InRange(result.BestRate!.Value, 23.7 * 0.98, 23.7);
        Assert.False(result.LimitAboveRange);
        Assert.Equal([1, 64], probed.Take(2));
        Assert.Equal(probed.Count, result.Probes.Count);
        Assert.All(result.Probes, p => Assert.Equal(p.Rate <= 23.7, p.Passed));
    }

    [Fact]
    public async Task The_probe_budget_bounds_the_sweep()
    {
        var result = await new GoodputSweep(new SweepOptions { MinRate = 1, MaxRate = 64, MaxProbes = 5, RateTolerance = 0.001 }).RunAsync(Threshold(10));

        Assert.Equal(5, result.Probes.Count);
        Assert.InRange(result.BestRate!.Value, 1, 10);
    }

    [Fact]
    public async Task A_failing_lowest_rate_means_no_goodput_and_a_passing_highest_rate_says_the_limit_is_above()
    {
        var none = await new GoodputSweep(new SweepOptions { MinRate = 2, MaxRate = 8 }).RunAsync(Threshold(1));
        var above = await new GoodputSweep(new SweepOptions { MinRate = 2, MaxRate = 8 }).RunAsync(Threshold(100));

        Assert.Null(none.BestRate);
        Assert.Single(none.Probes);
        Assert.Equal(8, above.BestRate);
        Assert.True(above.LimitAboveRange);
        Assert.Equal(2, above.Probes.Count);
    }

    [Fact]
    public async Task Attainment_exactly_at_the_target_passes()
    {
        var result = await new GoodputSweep(new SweepOptions { MinRate = 1, MaxRate = 2, TargetAttainment = 0.9 })
            .RunAsync(_ => Task.FromResult(new StepSummary { SloAttainment = 0.9 }));

        Assert.Equal(2, result.BestRate);
    }

    /// <summary>
    /// A server that serves one request at a time, 40 ms each (TTFT 20 ms + one 20 ms gap): below 25 req/s of regular
    /// arrivals requests rarely queue; above it the queue grows with every request and TTFT with it. The sweep must land
    /// near 25 req/s — not at a bound, not far off.
    /// </summary>
    [Fact]
    public async Task Sweep_finds_the_rate_where_a_serial_server_starts_to_queue()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 20, GapsMs = [20] }, serial: true);
        var scenario = new Scenario
        {
            Name = "sweep-test",
            Slo = new ServiceLevelObjectives { TtftMs = 120 },
            Steps =
            [
                new ScenarioStep
                {
                    Name = "sweep",
                    Kind = StepKind.Sweep,
                    NumRequests = 40,
                    Burstiness = 50, // nearly regular arrivals (CV 0.14), so the threshold is sharp
                    Sweep = new SweepOptions { MinRate = 4, MaxRate = 64, MaxProbes = 7 },
                },
            ],
        };
        var workload = WorkloadFactory.Create(WorkloadOptions.From(new WorkloadSpec { PromptTokens = "4", OutputTokens = "2", ImagesPerRequest = "0" }, "."), seed: 3);
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(new StringWriter()) });
        var runner = new EpdCluster.LoadTests.Running.ScenarioRunner(Harness.Target(server), new ReportOptions { Progress = ProgressMode.None }, console);

        var (report, steps) = await runner.RunAsync(scenario, workload, scenario.Slo, seed: 3, CancellationToken.None);

        var sweep = report.Steps.Single().Sweep!;
        var table = string.Join("; ", sweep.Probes.Select(p => $"{p.Rate:0.##} req/s: {p.Summary.SloAttainment:P0}"));
        // Not above the knee; below it by at most 2.5× (a loaded machine slows the scripted server's 40 ms, which moves the
        // knee down: 13.4 req/s was seen at load average 30).
        Assert.True(sweep.BestRate is >= 10 and <= 30, $"best rate {sweep.BestRate}; probes: {table}");
        Assert.False(sweep.LimitAboveRange);
        Assert.All(sweep.Probes.Where(p => p.Rate >= 40), p => Assert.False(p.Passed, table));
        Assert.All(sweep.Probes.Where(p => p.Rate <= 12), p => Assert.True(p.Passed, table));
        Assert.Equal(sweep.Probes.Count, steps.Single().Executions.Count);
    }
}
