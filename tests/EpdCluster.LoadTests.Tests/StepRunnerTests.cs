using System.Text.Json;
using EpdCluster.LoadTests.Client;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Workloads;

namespace EpdCluster.LoadTests.Tests;

/// <summary>How a step issues its requests: on schedule, within the concurrency cap, and never past its time limit.</summary>
[Collection(TimingCollection.Name)]
public sealed class StepRunnerTests
{
    /// <summary>Scheduling slack for a send on a busy 2-core machine.</summary>
    private const double SendSlackSeconds = 0.05;

    /// <summary>.NET timers count whole milliseconds and can fire slightly before their due time.</summary>
    private const double TimerEarlySeconds = 0.005;

    [Fact]
    public async Task Requests_are_sent_at_the_rate_schedule()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 1 });
        var workload = new SyntheticMultimodalWorkload(WorkloadOptions.From(new WorkloadSpec { PromptTokens = "2", OutputTokens = "1", ImagesPerRequest = "0" }, "."), seed: 1);
        var traffic = new TrafficOptions { RequestRate = 20, NumRequests = 20, Burstiness = 4 };

        var execution = await Harness.RunAsync(server, workload, traffic, seed: 5);

        // The same seed gives the runner the same schedule; every send is on time, none early.
        var schedule = EpdCluster.LoadTests.Arrivals.ArrivalSchedule.FromRate(traffic, new Random(5));
        Assert.Equal(1.0, schedule[^1], 9);
        Assert.All(execution.Outcomes, o => Assert.InRange(o.StartOffsetSeconds, schedule[o.Index] - TimerEarlySeconds, schedule[o.Index] + SendSlackSeconds));
    }

    [Fact]
    public async Task Dataset_offsets_are_replayed_divided_by_the_speedup()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 1 });
        var path = Path.Combine(Harness.TempFolder(), "timed.jsonl");
        File.WriteAllLines(path, new[] { 0, 300, 600, 1200 }.Select(ms => JsonSerializer.Serialize(new { prompt = "p", output_tokens = 1, offset_ms = ms + 1000 })));

        var workload = Harness.DatasetWorkload(path);
        var execution = await Harness.RunAsync(server, workload, new TrafficOptions { TimestampSpeedup = 2, Duration = TimeSpan.FromSeconds(0.5) });

        // Offsets 0, 150, 300, 600 ms after the speed-up; the 0.5 s duration drops the last one.
        Assert.Equal([0, 1, 2], execution.Outcomes.Select(o => o.Index));
        foreach (var (outcome, expected) in execution.Outcomes.Zip(new[] { 0, 0.15, 0.3 }))
        {
            Assert.InRange(outcome.StartOffsetSeconds, expected - TimerEarlySeconds, expected + SendSlackSeconds);
        }

        Assert.Equal(3, workload.Next()!.Index); // the request past the duration is left for the next step
    }

    [Fact]
    public async Task Max_concurrency_caps_requests_in_flight()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 40, GapsMs = [10] });
        var workload = new SyntheticMultimodalWorkload(WorkloadOptions.From(new WorkloadSpec { PromptTokens = "2", OutputTokens = "2", ImagesPerRequest = "0" }, "."), seed: 1);

        var execution = await Harness.RunAsync(server, workload, new TrafficOptions { NumRequests = 12, MaxConcurrency = 3 });

        Assert.Equal(12, execution.Outcomes.Count(o => o.Success));
        Assert.Equal(3, execution.PeakConcurrency);
        Assert.Equal(3, server.PeakInFlight);
    }

    [Fact]
    public async Task A_step_stops_at_its_time_limit_cancelling_open_requests_and_counting_unsent_ones()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 3000 });
        var workload = new SyntheticMultimodalWorkload(WorkloadOptions.From(new WorkloadSpec { PromptTokens = "2", OutputTokens = "1", ImagesPerRequest = "0" }, "."), seed: 1);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var execution = await Harness.RunAsync(server, workload, new TrafficOptions { NumRequests = 5, MaxConcurrency = 2, MaxStepDuration = TimeSpan.FromMilliseconds(300) }, warmUp: false);

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2.5), $"the step took {started.Elapsed}");
        Assert.True(execution.TimeLimitReached);
        // Two requests fit the concurrency cap; every request is either cancelled in flight or counted as unsent.
        Assert.InRange(execution.Outcomes.Count, 2, 3);
        Assert.All(execution.Outcomes, o => Assert.Equal(RequestErrorKind.Cancelled, o.Error));
        Assert.Equal(5 - execution.Outcomes.Count, execution.NotSent);
    }
}
