using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace EpdCluster.Runtime.Workers;

/// <summary>
/// Reports this worker's roles, transfer endpoint and load to the directory, every heartbeat interval — and at once
/// when a role switch changes what routing may send here (<see cref="ReportNowAsync"/>).
/// </summary>
internal sealed partial class WorkerHeartbeat(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    WorkerIdentity identity,
    EpdWorkerOptions options,
    WorkerEngineHost engine,
    WorkerTransferEndpoint transfer,
    ILogger<WorkerHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var directory = grains.GetGrain<IWorkerDirectoryGrain>(0);
        using var timer = new PeriodicTimer(options.HeartbeatInterval);
        var failing = false;
        do
        {
            try
            {
                await directory.Heartbeat(Describe());
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!failing)
                {
                    LogHeartbeatFailed(logger, identity.WorkerId, e.Message);
                }

                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Reports now, so routing sees a drain or a new role without waiting for the next heartbeat.</summary>
    public Task ReportNowAsync() => grains.GetGrain<IWorkerDirectoryGrain>(0).Heartbeat(Describe());

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<IWorkerDirectoryGrain>(0).Unregister(identity.WorkerId).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Leaving anyway: membership drops this worker when the silo stops.
        }

        await base.StopAsync(cancellationToken);
    }

    private WorkerInfo Describe() => new(
        identity.WorkerId,
        silo.SiloAddress.ToParsableString(),
        identity.Roles,
        transfer.Endpoint,
        engine.IsLoaded ? WorkerLoads.From(engine.Engine) : WorkerLoad.Empty,
        DateTime.UtcNow,
        identity.Draining);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} could not report to the directory: {Reason}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string workerId, string reason);
}
