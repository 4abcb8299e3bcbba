using System.Globalization;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Abstractions.Workers;

namespace EpdCluster.Runtime.Scheduling;

/// <summary>
/// The scheduler's decision, as a pure function of a snapshot and the policy's memory. When a stage misses its SLO
/// (TTFT belongs to encode or prefill, whichever takes the larger share of it; TPOT to decode) in enough consecutive
/// evaluations, and another stage has slack — it meets its SLO with a margin, keeps more than the minimum of workers,
/// and its p90 stage time scaled to one worker fewer stays well inside its SLO — move one single-role worker of the
/// stage with the most slack (the one with the least work in hand) to the short one. Otherwise hold, saying why.
/// At most one move per evaluation; none within the cooldown after a move.
/// </summary>
internal sealed class RoleSwitchPolicy(SchedulerOptions options)
{
    public const string Automatic = "automatic";

    /// <summary>Far below one request in any window, far above floating-point rounding.</summary>
    private const double RatioTolerance = 1e-9;

    public (ScheduleDecision Decision, PolicyState State) Decide(SchedulerSnapshot snapshot, PolicyState state)
    {
        var window = snapshot.Window;
        var now = snapshot.NowUtc;
        ScheduleDecision Hold(string code, string reason) => new(now, code, Automatic, null, null, null, reason, window, false);
        var reset = state with { ShortStage = null, ShortStreak = 0 };

        if (snapshot.SwitchInProgress)
        {
            return (Hold("switch_in_progress", "a role switch is in progress"), state);
        }

        if (state.LastMoveUtc is { } last && now - last < options.Cooldown)
        {
            return (Hold("cooldown", Text($"cooldown: {(options.Cooldown - (now - last)).TotalSeconds:0} s left after the last move")), reset);
        }

        if (window.Requests < options.MinSamples)
        {
            return (Hold("too_few_samples", Text($"{window.Requests} requests in the window; the policy needs {options.MinSamples}")), reset);
        }

        var target = options.AttainmentTarget;
        var ttftMiss = window.TtftAttainment < target;
        var tpotMiss = window.TpotAttainment < target;
        if (!ttftMiss && !tpotMiss)
        {
            return (Hold("slos_met", Text($"TTFT attainment {window.TtftAttainment:P0} and TPOT attainment {window.TpotAttainment:P0} meet the {target:P0} target")), reset);
        }

        var shortStage = tpotMiss && (!ttftMiss || window.TpotAttainment < window.TtftAttainment)
            ? WorkerRole.Decode
            : Pressure(window, WorkerRole.Encode) >= Pressure(window, WorkerRole.Prefill) ? WorkerRole.Encode : WorkerRole.Prefill;
        var streak = state.ShortStage == shortStage ? state.ShortStreak + 1 : 1;
        var next = state with { ShortStage = shortStage, ShortStreak = streak };
        var miss = DescribeMiss(window, shortStage);
        if (streak < options.ConsecutiveMisses)
        {
            return (Hold("miss_not_persistent", Text($"{miss}; missed in {streak} of {options.ConsecutiveMisses} evaluations in a row")), next);
        }

        var refusals = new List<string>();
        (WorkerRole Role, double Projected, List<WorkerInfo> Movable)? donor = null;
        foreach (var role in WorkerRoles.All.Where(r => r != shortStage))
        {
            var holders = snapshot.Workers.Count(w => w.Accepts(role));
            var movable = snapshot.Workers.Where(w => w.Accepts(role) && w.Roles.Count == 1 && w.Load.TotalKvBlocks > 0).ToList();
            var name = role.ToWireName();
            if (holders - 1 < options.MinWorkersPerRole || movable.Count == 0)
            {
                refusals.Add(Text($"{name} has {holders} worker(s), {movable.Count} movable, minimum {options.MinWorkersPerRole}"));
                continue;
            }

            if (!MeetsWithMargin(window, role, shortStage))
            {
                refusals.Add(Text($"{name} meets its SLO without the {options.SlackMargin:P0} margin"));
                continue;
            }

            var projected = Pressure(window, role) * holders / (holders - 1);
            if (projected >= options.SlackPressure)
            {
                refusals.Add(Text($"{name} p90 would take {projected:P0} of its SLO with one worker fewer"));
                continue;
            }

            if (donor is null || projected < donor.Value.Projected)
            {
                donor = (role, projected, movable);
            }
        }

        if (donor is not { } from)
        {
            return (Hold("no_slack", $"{miss}, but no stage has slack: {string.Join("; ", refusals)}"), next);
        }

        var worker = from.Movable.OrderBy(w => WorkInHand(w, from.Role)).ThenBy(w => w.WorkerId, StringComparer.Ordinal).First();
        var reason = Text($"{miss}; {from.Role.ToWireName()} has slack (its p90 would take {from.Projected:P0} of its SLO with one worker fewer)");
        return (new ScheduleDecision(now, ScheduleDecision.MoveCode, Automatic, worker.WorkerId, from.Role, shortStage, reason, window, false), reset);
    }

    /// <summary>The stage's p90 time as a share of the SLO it answers to (encode and prefill share TTFT).</summary>
    private double Pressure(WindowFigures window, WorkerRole role) => role switch
    {
        WorkerRole.Encode => window.EncodeP90Seconds / options.TtftSloSeconds,
        WorkerRole.Prefill => window.PrefillP90Seconds / options.TtftSloSeconds,
        _ => window.TpotP90Seconds / options.TpotSloSeconds,
    };

    /// <summary>
    /// Whether the SLO a donor stage answers to is met with the margin. When encode or prefill misses TTFT, the other
    /// one is not held to it: the miss is the short stage's.
    /// </summary>
    private bool MeetsWithMargin(WindowFigures window, WorkerRole role, WorkerRole shortStage)
    {
        // Attainments are ratios of counts: 38 of 40 is 0.95 and must clear a 0.90 + 0.05 bar despite rounding.
        var bar = options.AttainmentTarget + options.SlackMargin - RatioTolerance;
        return role == WorkerRole.Decode ? window.TpotAttainment >= bar : shortStage != WorkerRole.Decode || window.TtftAttainment >= bar;
    }

    /// <summary>What a worker would have to finish or move before it can switch: fewest first.</summary>
    private static long WorkInHand(WorkerInfo worker, WorkerRole role) => role switch
    {
        WorkerRole.Encode => worker.Load.QueuedTiles,
        WorkerRole.Prefill => worker.Load.QueuedPromptTokens,
        _ => worker.Load.RunningRequests + worker.Load.WaitingRequests,
    };

    private string DescribeMiss(WindowFigures window, WorkerRole shortStage) => shortStage == WorkerRole.Decode
        ? Text($"TPOT attainment {window.TpotAttainment:P0} < {options.AttainmentTarget:P0} (p90 {window.TpotP90Seconds * 1000:0.#} ms, SLO {options.TpotSloSeconds * 1000:0.#} ms)")
        : Text($"TTFT attainment {window.TtftAttainment:P0} < {options.AttainmentTarget:P0} (p90 {window.TtftP90Seconds:0.###} s, SLO {options.TtftSloSeconds:0.###} s; {shortStage.ToWireName()} p90 {(shortStage == WorkerRole.Encode ? window.EncodeP90Seconds : window.PrefillP90Seconds):0.###} s)");

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
