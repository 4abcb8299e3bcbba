using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Scheduling;
using EpdCluster.Simulation.Profiles;
using EpdCluster.Simulation.Simulation;
using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Planner;

/// <summary>
/// One simulated run, optionally with the cluster's own scheduler in the loop: every evaluation interval of simulated
/// time the requests that finished within the window feed an <see cref="SloWindow"/>, the workers become directory
/// entries, and <see cref="RoleSwitchPolicy"/> decides; a move switches the simulated worker (drain, decode moves).
/// </summary>
internal sealed class ScheduledRun(EngineProfile profile, SchedulerOptions scheduler)
{
    /// <summary>Simulated seconds map onto this instant for the policy's clock.</summary>
    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public (SimulationResult Result, IReadOnlyList<SwitchRecord> Switches) Run(ClusterLayout layout, IReadOnlyList<SimRequest> requests, Slo slo, bool switching)
    {
        var simulator = new ClusterSimulator(profile, layout, requests);
        var policy = new RoleSwitchPolicy(scheduler);
        var state = PolicyState.Initial;
        var inProgress = false;
        var switches = new List<SwitchRecord>();
        var interval = scheduler.EvaluationInterval.TotalSeconds;
        for (var time = interval; simulator.RunUntil(time); time += interval)
        {
            if (!switching)
            {
                continue;
            }

            var now = Epoch.AddSeconds(time);
            var window = new SloWindow(scheduler);
            window.Add(now, simulator.Outcomes
                .Where(o => o.Finished && o.FinishSeconds > time - scheduler.Window.TotalSeconds)
                .Select(o => new RequestSample(o.TtftSeconds, o.EncodeSeconds, o.PrefillSeconds, double.IsNaN(o.TpotSeconds) ? null : o.TpotSeconds)));
            var workers = simulator.Workers.Select(w => new WorkerInfo(
                $"w{w.Id}", "simulated", [ToRole(w.Role)], null,
                new WorkerLoad(w.QueuedPromptTokens, 0, w.DecodeSequences, w.FreeBlocks, w.TotalBlocks, w.QueuedTiles, 0, 0), now, w.Draining)).ToList();
            var (decision, next) = policy.Decide(new SchedulerSnapshot(now, window.Figures(now), workers, inProgress), state);
            state = next;
            if (decision.IsMove)
            {
                inProgress = true;
                var started = time;
                var id = int.Parse(decision.WorkerId!.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                simulator.SwitchRole(id, ToStage(decision.To!.Value), at =>
                {
                    inProgress = false;
                    state = state with { LastMoveUtc = Epoch.AddSeconds(at) };
                    switches.Add(new SwitchRecord(started, at, decision.WorkerId!, decision.From!.Value, decision.To!.Value, decision.Reason));
                });
            }
        }

        return (new SimulationResult(simulator.Outcomes, slo), switches);
    }

    private static WorkerRole ToRole(StageRole role) => role switch
    {
        StageRole.Encode => WorkerRole.Encode,
        StageRole.Prefill => WorkerRole.Prefill,
        StageRole.Decode => WorkerRole.Decode,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Aggregated workers have every role; the scheduler does not move them."),
    };

    private static StageRole ToStage(WorkerRole role) => role switch
    {
        WorkerRole.Encode => StageRole.Encode,
        WorkerRole.Prefill => StageRole.Prefill,
        _ => StageRole.Decode,
    };
}
