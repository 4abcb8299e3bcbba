using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace EpdCluster.Runtime.Scheduling;

/// <summary>
/// One per cluster (key 0). Keeps the window of request samples the gateways report, runs the policy every
/// evaluation interval, and carries out a move through the worker's control grain — one switch at a time, then the
/// cooldown. Reentrant, so reports and status reads go on while a switch drains. Its state (window, policy memory,
/// automatic on/off, history) is saved after every evaluation and every change an operator makes, and loaded on
/// activation: when its silo dies, the activation on another silo carries on where it was.
/// </summary>
[Reentrant]
internal sealed partial class SchedulerGrain(
    SchedulerOptions options,
    SchedulerMetrics metrics,
    ISchedulerStateStore store,
    WorkerIdentity identity,
    ILogger<SchedulerGrain> logger) : Grain, ISchedulerGrain
{
    private const string Manual = "manual";
    private readonly SloWindow _window = new(options);
    private readonly RoleSwitchPolicy _policy = new(options);
    private readonly Queue<ScheduleDecision> _decisions = new();
    private readonly Queue<RoleSwitchReport> _switches = new();
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private PolicyState _state = PolicyState.Initial;
    private bool _automatic = options.Automatic;
    private string? _switching;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await RestoreAsync();
        this.RegisterGrainTimer(EvaluateAsync, new GrainTimerCreationOptions
        {
            DueTime = options.EvaluationInterval,
            Period = options.EvaluationInterval,
            Interleave = true,
            KeepAlive = true,
        });
        LogStarted(logger, options.TtftSloSeconds, options.TpotSloSeconds, options.Window.TotalSeconds, options.Cooldown.TotalSeconds, _automatic);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => SaveAsync();

    public Task ReportRequests(RequestSample[] samples)
    {
        _window.Add(DateTime.UtcNow, samples);
        return Task.CompletedTask;
    }

    public Task<SchedulerStatus> GetStatus() => Task.FromResult(new SchedulerStatus(
        _automatic,
        options.TtftSloSeconds,
        options.TpotSloSeconds,
        options.AttainmentTarget,
        options.Window.TotalSeconds,
        _window.Figures(DateTime.UtcNow),
        [.. _decisions.Reverse()],
        [.. _switches.Reverse()],
        new Dictionary<string, long>(_counts),
        _switching,
        identity.WorkerId));

    public async Task SetAutomatic(bool enabled)
    {
        _automatic = enabled;
        LogAutomatic(logger, enabled);
        await SaveAsync();
    }

    public async Task<RoleSwitchOutcome> SwitchRoles(string workerId, IReadOnlyList<WorkerRole> roles)
    {
        var workers = await Directory.GetWorkers();
        var worker = workers.FirstOrDefault(w => w.WorkerId == workerId);
        if (worker is null)
        {
            return new RoleSwitchOutcome(RoleSwitchRefusal.UnknownWorker, $"No worker '{workerId}' is in the directory.", null);
        }

        if (_switching is not null || worker.Draining)
        {
            return new RoleSwitchOutcome(RoleSwitchRefusal.SwitchInProgress, $"A role switch is in progress (worker {_switching ?? workerId}); one runs at a time.", null);
        }

        foreach (var role in worker.Roles.Except(roles))
        {
            var left = workers.Count(w => w.Accepts(role)) - 1;
            if (left < options.MinWorkersPerRole)
            {
                return new RoleSwitchOutcome(RoleSwitchRefusal.RoleMinimum, $"Worker {workerId} leaving {role.ToWireName()} would leave {left} {role.ToWireName()} worker(s); the minimum is {options.MinWorkersPerRole} ({SchedulerOptions.SectionName}:MinWorkersPerRole).", null);
            }
        }

        var decision = new ScheduleDecision(DateTime.UtcNow, ScheduleDecision.MoveCode, Manual, workerId, worker.Roles.FirstOrDefault(), roles.FirstOrDefault(),
            $"manual switch {WorkerRoles.Format(worker.Roles)} -> {WorkerRoles.Format(roles)}", _window.Figures(DateTime.UtcNow), true);
        Record(decision);
        await SaveAsync();
        return new RoleSwitchOutcome(RoleSwitchRefusal.None, null, await RunSwitchAsync(workerId, roles));
    }

    private IWorkerDirectoryGrain Directory => GrainFactory.GetGrain<IWorkerDirectoryGrain>(0);

    private async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<WorkerInfo> workers;
        try
        {
            workers = await Directory.GetWorkers();
        }
        catch (Exception e)
        {
            LogEvaluationFailed(logger, e.Message);
            return;
        }

        var now = DateTime.UtcNow;
        var (decision, state) = _policy.Decide(new SchedulerSnapshot(now, _window.Figures(now), workers, _switching is not null), _state);
        _state = state;
        var run = decision.IsMove && _automatic && _switching is null;
        Record(decision with { Executed = run });
        await SaveAsync();
        if (run)
        {
            await RunSwitchAsync(decision.WorkerId!, [decision.To!.Value]);
        }
    }

    /// <summary>Runs one switch on the worker; whatever the outcome, the cooldown starts when it ends.</summary>
    private async Task<RoleSwitchReport> RunSwitchAsync(string workerId, IReadOnlyList<WorkerRole> roles)
    {
        _switching = workerId;
        RoleSwitchReport report;
        try
        {
            report = await GrainFactory.GetGrain<IWorkerControlGrain>(workerId).SwitchRoles(roles);
        }
        catch (Exception e)
        {
            report = new RoleSwitchReport(workerId, [], roles, false, e.Message, DateTime.UtcNow, 0, 0, 0, 0);
        }
        finally
        {
            _switching = null;
        }

        _state = _state with { LastMoveUtc = DateTime.UtcNow };
        Enqueue(_switches, report);
        metrics.Switch(report);
        await SaveAsync();
        if (report.Succeeded)
        {
            LogSwitched(logger, workerId, WorkerRoles.Format(report.From), WorkerRoles.Format(report.To), report.TotalSeconds, report.MigratedRequests);
        }
        else
        {
            LogSwitchFailed(logger, workerId, WorkerRoles.Format(roles), report.Error ?? "unknown");
        }

        return report;
    }

    /// <summary>Loads the stored state, if any; a store that cannot be read leaves the defaults (and says so).</summary>
    private async Task RestoreAsync()
    {
        SchedulerState? state;
        try
        {
            state = await store.LoadAsync();
        }
        catch (Exception e)
        {
            LogRestoreFailed(logger, store.Description, e.Message);
            return;
        }

        if (state is null)
        {
            return;
        }

        _automatic = state.Automatic;
        _state = state.Policy;
        _window.Restore(DateTime.UtcNow, state.Samples);
        foreach (var decision in state.Decisions)
        {
            Enqueue(_decisions, decision);
        }

        foreach (var report in state.Switches)
        {
            Enqueue(_switches, report);
        }

        foreach (var (code, count) in state.DecisionCounts)
        {
            _counts[code] = count;
        }

        LogRestored(logger, store.Description, state.SavedUtc, state.Samples.Count, state.Decisions.Count, state.Automatic);
    }

    /// <summary>Saves the whole state; a failure is logged, never thrown (the next save tries again).</summary>
    private async Task SaveAsync()
    {
        var state = new SchedulerState(DateTime.UtcNow, _automatic, _state, _window.Samples(), [.. _decisions], [.. _switches], new Dictionary<string, long>(_counts));
        try
        {
            await store.SaveAsync(state);
        }
        catch (Exception e)
        {
            LogSaveFailed(logger, store.Description, e.Message);
        }
    }

    private void Record(ScheduleDecision decision)
    {
        Enqueue(_decisions, decision);
        _counts[decision.Code] = _counts.GetValueOrDefault(decision.Code) + 1;
        metrics.Decision(decision);
        if (decision.IsMove)
        {
            LogMove(logger, decision.Trigger, decision.WorkerId!, decision.From?.ToWireName() ?? "-", decision.To?.ToWireName() ?? "-", decision.Executed, decision.Reason);
        }
        else
        {
            LogHold(logger, decision.Code, decision.Reason);
        }
    }

    private void Enqueue<T>(Queue<T> queue, T item)
    {
        queue.Enqueue(item);
        while (queue.Count > options.History)
        {
            queue.Dequeue();
        }
    }
}
