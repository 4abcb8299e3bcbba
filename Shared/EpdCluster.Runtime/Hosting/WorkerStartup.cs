using EpdCluster.Abstractions;
using EpdCluster.Engine.Torch;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Hosting;

/// <summary>Checks libtorch before the worker takes work, then logs that the worker is up.</summary>
internal sealed partial class WorkerStartup(WorkerIdentity identity, EpdWorkerOptions options, ILogger<WorkerStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var torch = TorchRuntime.Initialize(options.TorchThreads);
        LogWorkerStarted(logger, identity.WorkerId, WorkerRoles.Format(identity.Roles), torch.TorchSharpVersion, torch.IntraOpThreads);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started with roles {Roles} (TorchSharp {TorchSharpVersion}, {Threads} threads)")]
    private static partial void LogWorkerStarted(ILogger logger, string workerId, string roles, string torchSharpVersion, int threads);
}
