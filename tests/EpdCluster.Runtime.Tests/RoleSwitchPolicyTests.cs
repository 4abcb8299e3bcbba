using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Scheduling;

namespace EpdCluster.Runtime.Tests;

/// <summary>The policy as a table: a snapshot of the window and the workers, and what it must decide — including holding.</summary>
public sealed class RoleSwitchPolicyTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly SchedulerOptions Options = new(); // TTFT 1.4 s, TPOT 40 ms, target 90 %, margin 5 %, slack 50 %, 2 misses, 20 samples

    private static readonly WindowFigures AllMet = Window(ttft: 0.99, tpot: 0.99, encode: 0.1, prefill: 0.1, tpotP90: 0.008);
    private static readonly WindowFigures EncodeBound = Window(ttft: 0.60, tpot: 0.99, encode: 1.5, prefill: 0.1, tpotP90: 0.008);
    private static readonly WindowFigures PrefillBound = Window(ttft: 0.70, tpot: 0.99, encode: 0.05, prefill: 1.3, tpotP90: 0.008);
    private static readonly WindowFigures DecodeBound = Window(ttft: 0.99, tpot: 0.50, encode: 0.05, prefill: 0.2, tpotP90: 0.08);

    public static TheoryData<string> Cases => [.. Table().Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decides_as_the_table_says(string name)
    {
        var c = Table()[name];

        var (decision, _) = new RoleSwitchPolicy(Options).Decide(new SchedulerSnapshot(Now, c.Window, c.Workers, c.SwitchInProgress), c.State);

        Assert.Equal(c.Code, decision.Code);
        Assert.Equal(c.Worker, decision.WorkerId);
        Assert.Equal(c.From, decision.From);
        Assert.Equal(c.To, decision.To);
        Assert.Equal("automatic", decision.Trigger);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
        Assert.Same(c.Window, decision.Figures);
    }

    [Fact]
    public void A_miss_must_persist_for_consecutive_evaluations_and_a_move_starts_the_count_again()
    {
        var policy = new RoleSwitchPolicy(Options);
        var workers = Split(encoders: 1, prefills: 1, decoders: 2);

        var (first, state) = policy.Decide(new SchedulerSnapshot(Now, EncodeBound, workers, false), PolicyState.Initial);
        var (second, afterMove) = policy.Decide(new SchedulerSnapshot(Now.AddSeconds(5), EncodeBound, workers, false), state);
        var (interrupted, reset) = policy.Decide(new SchedulerSnapshot(Now.AddSeconds(5), AllMet, workers, false), state);
        var (again, _) = policy.Decide(new SchedulerSnapshot(Now.AddSeconds(10), EncodeBound, workers, false), reset);

        Assert.Equal("miss_not_persistent", first.Code);
        Assert.Equal((WorkerRole.Encode, 1), (state.ShortStage!.Value, state.ShortStreak));
        Assert.Equal("move", second.Code);
        Assert.Equal((null, 0), (afterMove.ShortStage, afterMove.ShortStreak));
        Assert.Equal("slos_met", interrupted.Code);
        Assert.Equal("miss_not_persistent", again.Code);
    }

    [Fact]
    public void The_cooldown_blocks_moves_until_it_has_passed()
    {
        var policy = new RoleSwitchPolicy(Options);
        var workers = Split(encoders: 1, prefills: 1, decoders: 2);
        var missed = new PolicyState(Now.AddSeconds(-29), WorkerRole.Encode, 1);

        var (during, _) = policy.Decide(new SchedulerSnapshot(Now, EncodeBound, workers, false), missed);
        var (after, _) = policy.Decide(new SchedulerSnapshot(Now, EncodeBound, workers, false), missed with { LastMoveUtc = Now.AddSeconds(-30) });

        Assert.Equal("cooldown", during.Code);
        Assert.Contains("1 s left", during.Reason);
        Assert.Equal("move", after.Code);
    }

    private static Dictionary<string, PolicyCase> Table()
    {
        var persistent = (WorkerRole role) => new PolicyState(null, role, Options.ConsecutiveMisses - 1);
        var balanced = Split(encoders: 1, prefills: 1, decoders: 2);
        return new()
        {
            ["hold while a switch runs"] = new(EncodeBound, balanced, persistent(WorkerRole.Encode), "switch_in_progress", SwitchInProgress: true),
            ["hold within the cooldown"] = new(EncodeBound, balanced, new PolicyState(Now.AddSeconds(-10), WorkerRole.Encode, 5), "cooldown"),
            ["hold with too few samples"] = new(EncodeBound with { Requests = 19 }, balanced, persistent(WorkerRole.Encode), "too_few_samples"),
            ["hold when every SLO is met"] = new(AllMet, balanced, persistent(WorkerRole.Encode), "slos_met"),
            ["hold on a first miss"] = new(EncodeBound, balanced, PolicyState.Initial, "miss_not_persistent"),
            ["hold on a miss of another stage than last time"] = new(EncodeBound, balanced, persistent(WorkerRole.Decode), "miss_not_persistent"),
            ["encode-bound TTFT takes the idler decode worker"] = new(EncodeBound, balanced, persistent(WorkerRole.Encode), "move", "decode-2", WorkerRole.Decode, WorkerRole.Encode),
            ["prefill-bound TTFT takes the encoder with slack rather than decode"] = new(PrefillBound, Split(encoders: 2, prefills: 1, decoders: 2, tpotBusy: true), persistent(WorkerRole.Prefill), "move", "encode-1", WorkerRole.Encode, WorkerRole.Prefill),
            ["TPOT miss takes an idle encoder"] = new(DecodeBound, Split(encoders: 2, prefills: 1, decoders: 1), persistent(WorkerRole.Decode), "move", "encode-1", WorkerRole.Encode, WorkerRole.Decode),
            ["TPOT miss with one worker in every other role holds"] = new(DecodeBound, Split(encoders: 1, prefills: 1, decoders: 1), persistent(WorkerRole.Decode), "no_slack"),
            ["a donor whose p90 would pass half its SLO with one worker fewer gives nothing"] = new(DecodeBound with { PrefillP90Seconds = 0.4 }, Split(encoders: 1, prefills: 2, decoders: 1), persistent(WorkerRole.Decode), "no_slack"),
            ["a donor exactly at target plus margin gives (38 of 40 requests)"] = new(EncodeBound with { TpotAttainment = 38.0 / 40 }, balanced, persistent(WorkerRole.Encode), "move", "decode-2", WorkerRole.Decode, WorkerRole.Encode),
            ["a donor inside the hysteresis band gives nothing"] = new(EncodeBound with { TpotAttainment = 0.93 }, balanced, persistent(WorkerRole.Encode), "no_slack"),
            ["a draining worker is neither counted nor moved"] = new(EncodeBound, [.. balanced.Select(w => w.WorkerId == "decode-1" ? w with { Draining = true } : w)], persistent(WorkerRole.Encode), "no_slack"),
            ["an all-role worker never moves"] = new(EncodeBound, [Worker("all-1", running: 0, roles: [.. WorkerRoles.All])], persistent(WorkerRole.Encode), "no_slack"),
            ["a worker without a loaded model is not moved"] = new(EncodeBound, [.. balanced.Select(w => w.WorkerId == "decode-2" ? w with { Load = WorkerLoad.Empty } : w)], persistent(WorkerRole.Encode), "move", "decode-1", WorkerRole.Decode, WorkerRole.Encode),
            ["when both miss the worse one gets the worker"] = new(Window(ttft: 0.5, tpot: 0.85, encode: 1.5, prefill: 0.05, tpotP90: 0.05), Split(encoders: 1, prefills: 2, decoders: 1), persistent(WorkerRole.Encode), "move", "prefill-1", WorkerRole.Prefill, WorkerRole.Encode),
            ["when both miss a donor must still meet its own SLO"] = new(DecodeBound with { TtftAttainment = 0.8 }, Split(encoders: 2, prefills: 1, decoders: 1), persistent(WorkerRole.Decode), "no_slack"),
        };
    }

    /// <summary>A cluster of single-role workers; decode-1 runs more than decode-2.</summary>
    private static List<WorkerInfo> Split(int encoders, int prefills, int decoders, bool tpotBusy = false)
    {
        var workers = new List<WorkerInfo>();
        workers.AddRange(Enumerable.Range(1, encoders).Select(i => Worker($"encode-{i}", running: 0, [WorkerRole.Encode])));
        workers.AddRange(Enumerable.Range(1, prefills).Select(i => Worker($"prefill-{i}", running: 0, [WorkerRole.Prefill])));
        workers.AddRange(Enumerable.Range(1, decoders).Select(i => Worker($"decode-{i}", running: tpotBusy ? 10 : decoders - i + 1, [WorkerRole.Decode])));
        return workers;
    }

    private static WorkerInfo Worker(string id, int running, IReadOnlyList<WorkerRole> roles) =>
        new(id, "silo-" + id, roles, null, new WorkerLoad(0, 0, running, 100, 100, 0, 0, 0), Now);

    private static WindowFigures Window(double ttft, double tpot, double encode, double prefill, double tpotP90) =>
        new(100, ttft, 90, tpot, encode + prefill, encode, prefill, tpotP90);

    private sealed record PolicyCase(
        WindowFigures Window,
        IReadOnlyList<WorkerInfo> Workers,
        PolicyState State,
        string Code,
        string? Worker = null,
        WorkerRole? From = null,
        WorkerRole? To = null,
        bool SwitchInProgress = false);
}
