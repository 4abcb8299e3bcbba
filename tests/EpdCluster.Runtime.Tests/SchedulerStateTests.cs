using System.Text.Json;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Scheduling;

namespace EpdCluster.Runtime.Tests;

/// <summary>The scheduler's stored state: its JSON round-trips every field, and a restored window keeps only samples still inside it.</summary>
public sealed class SchedulerStateTests
{
    private static readonly DateTime Now = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_stored_json_round_trips_every_field()
    {
        var figures = new WindowFigures(3, 0.5, 2, 1, 1.2, 0.3, 0.9, 0.02);
        var state = new SchedulerState(
            Now,
            Automatic: false,
            new PolicyState(Now.AddSeconds(-10), WorkerRole.Encode, 2),
            [new TimedSample(Now.AddSeconds(-3), new RequestSample(1.5, 0.4, 1.1, null)), new TimedSample(Now.AddSeconds(-1), new RequestSample(0.2, 0, 0.2, 0.03))],
            [new ScheduleDecision(Now.AddSeconds(-10), ScheduleDecision.MoveCode, "manual", "decode-1", WorkerRole.Decode, WorkerRole.Prefill, "manual switch", figures, true)],
            [new RoleSwitchReport("decode-1", [WorkerRole.Decode], [WorkerRole.Prefill], true, null, Now.AddSeconds(-10), 0.5, 0.7, 3, 0.09)],
            new Dictionary<string, long> { ["move"] = 1, ["cooldown"] = 4 });

        var json = JsonSerializer.Serialize(state, RedisSchedulerStateStore.Json);
        var back = JsonSerializer.Deserialize<SchedulerState>(json, RedisSchedulerStateStore.Json)!;

        Assert.Contains("\"prefill\"", json, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(state.SavedUtc, back.SavedUtc);
        Assert.False(back.Automatic);
        Assert.Equal(state.Policy, back.Policy);
        Assert.Equal(state.Samples, back.Samples);
        Assert.Equal(state.Decisions.Single(), back.Decisions.Single());
        var report = back.Switches.Single();
        Assert.Equal(("decode-1", 3, 0.7), (report.WorkerId, report.MigratedRequests, report.TotalSeconds));
        Assert.Equal([WorkerRole.Prefill], report.To);
        Assert.Equal(state.DecisionCounts, back.DecisionCounts);
    }

    [Fact]
    public void A_restored_window_keeps_only_the_samples_still_inside_it()
    {
        var window = new SloWindow(new SchedulerOptions { Window = TimeSpan.FromSeconds(30), TtftSloSeconds = 1 });

        window.Restore(Now, [new TimedSample(Now.AddSeconds(-40), new RequestSample(5, 0, 5, null)), new TimedSample(Now.AddSeconds(-5), new RequestSample(0.5, 0, 0.5, null))]);
        var figures = window.Figures(Now);

        Assert.Equal(1, figures.Requests);
        Assert.Equal(1, figures.TtftAttainment);
        Assert.Equal(Now.AddSeconds(-5), window.Samples().Single().AtUtc);
    }
}
