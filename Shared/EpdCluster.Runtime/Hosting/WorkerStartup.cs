using EpdCluster.Abstractions;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Simulated;
using EpdCluster.Engine.Torch;
using EpdCluster.Runtime.Workers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Hosting;

/// <summary>Checks libtorch before the worker takes work (not needed by the simulated engine), then logs that the worker is up.</summary>
internal sealed partial class WorkerStartup(
    WorkerIdentity identity,
    EngineOptions engineOptions,
    WorkerEngineHost engine,
    IHostApplicationLifetime lifetime,
    ILogger<WorkerStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (engine.Mode == EngineMode.Simulated)
        {
            StartSimulated();
            return Task.CompletedTask;
        }

        var torch = TorchRuntime.Initialize(engineOptions.TorchThreads);

        // Load the weights now, not on the first request, but off the start-up path: the worker joins the cluster
        // at once and reports a KV pool (so routing uses it) only when loaded.
        _ = Task.Run(() =>
        {
            try
            {
                var loaded = engine.Engine;
                LogWorkerStarted(logger, identity.WorkerId, WorkerRoles.Format(identity.Roles), engine.ModelId, loaded.Llm.Stats.TotalBlocks, torch.TorchSharpVersion, torch.IntraOpThreads);
            }
            catch (Exception e)
            {
                LogLoadFailed(logger, e, identity.WorkerId, engine.ModelId);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The profile loads in a few milliseconds and was checked at start-up; a failure here still stops the worker.</summary>
    private void StartSimulated()
    {
        try
        {
            var loaded = (SimulatedEngine)engine.Engine;
            LogSimulatedWorkerStarted(logger, identity.WorkerId, WorkerRoles.Format(identity.Roles), engine.ModelId, loaded.Profile.Name, loaded.Llm.Stats.TotalBlocks);
        }
        catch (Exception e)
        {
            LogLoadFailed(logger, e, identity.WorkerId, engine.ModelId);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started with roles {Roles}, model {Model} simulated by profile {Profile}, {KvBlocks} KV blocks")]
    private static partial void LogSimulatedWorkerStarted(ILogger logger, string workerId, string roles, string model, string profile, int kvBlocks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started with roles {Roles}, model {Model}, {KvBlocks} KV blocks (TorchSharp {TorchSharpVersion}, {Threads} threads)")]
    private static partial void LogWorkerStarted(ILogger logger, string workerId, string roles, string model, int kvBlocks, string torchSharpVersion, int threads);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Worker {WorkerId} could not load model {Model}; stopping")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string workerId, string model);
}
