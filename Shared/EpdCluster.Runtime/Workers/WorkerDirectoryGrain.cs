using EpdCluster.Abstractions.Workers;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Workers;

/// <summary>
/// In-memory directory of workers. It rebuilds itself from heartbeats after a move, and drops a worker the moment
/// its silo stops being active in the membership table, rather than after a heartbeat timeout.
/// </summary>
internal sealed partial class WorkerDirectoryGrain(IClusterMembershipService membership, ILogger<WorkerDirectoryGrain> logger) : Grain, IWorkerDirectoryGrain
{
    private readonly Dictionary<string, WorkerInfo> _workers = new(StringComparer.Ordinal);
    private CancellationTokenSource? _watch;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _watch = new CancellationTokenSource();
        _ = WatchMembershipAsync(_watch.Token);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _watch?.Cancel();
        return Task.CompletedTask;
    }

    public Task Heartbeat(WorkerInfo worker)
    {
        if (!IsActive(worker.SiloAddress))
        {
            return Task.CompletedTask;
        }

        if (!_workers.TryGetValue(worker.WorkerId, out var known))
        {
            LogRegistered(logger, worker.WorkerId, string.Join(',', worker.Roles), worker.SiloAddress);
        }
        else if (known.Draining != worker.Draining || !known.Roles.SequenceEqual(worker.Roles))
        {
            LogRolesChanged(logger, worker.WorkerId, string.Join(',', worker.Roles), worker.Draining);
        }

        _workers[worker.WorkerId] = worker;
        return Task.CompletedTask;
    }

    public Task Unregister(string workerId)
    {
        if (_workers.Remove(workerId))
        {
            LogDropped(logger, workerId, "unregistered");
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WorkerInfo>> GetWorkers()
    {
        DropInactive();
        return Task.FromResult<IReadOnlyList<WorkerInfo>>(_workers.Values.OrderBy(w => w.WorkerId, StringComparer.Ordinal).ToList());
    }

    private async Task WatchMembershipAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                DropInactive();
            }
        }
        catch (OperationCanceledException)
        {
            // Deactivating.
        }
    }

    private void DropInactive()
    {
        foreach (var worker in _workers.Values.Where(w => !IsActive(w.SiloAddress)).ToList())
        {
            _workers.Remove(worker.WorkerId);
            LogDropped(logger, worker.WorkerId, "its silo left the cluster");
        }
    }

    private bool IsActive(string siloAddress) =>
        membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && m.SiloAddress.ToParsableString() == siloAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} registered with roles {Roles} on {Silo}")]
    private static partial void LogRegistered(ILogger logger, string workerId, string roles, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} now has roles {Roles} (draining: {Draining})")]
    private static partial void LogRolesChanged(ILogger logger, string workerId, string roles, bool draining);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string workerId, string reason);
}
