using System.Diagnostics;
using System.Runtime.CompilerServices;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Runtime.Telemetry;
using EpdCluster.Runtime.Workers;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// The all-in-one backend: the embedded worker's engine (<see cref="AggregatedEngine"/>, or the simulated one), in the gateway's process. The model loads in the
/// background when the host starts, so <c>/health</c> answers at once and <c>/ready</c> turns 200 when it is
/// loaded; a model that fails to load stops the process.
/// </summary>
internal sealed partial class EmbeddedBackend(
    ModelOptions modelOptions,
    WorkerEngineHost workerEngine,
    RequestStageMetrics stageMetrics,
    IHostApplicationLifetime lifetime,
    ILogger<EmbeddedBackend> logger) : IGenerationBackend, IHostedService
{
    private Task _loading = Task.CompletedTask;
    private volatile IWorkerEngine? _engine;

    /// <summary>The engine's load (running and waiting sequences, free KV blocks), or null while loading.</summary>
    internal LlmEngineStats? EngineStats => _engine?.Llm.Stats;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loading = Task.Run(Load, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _loading.WaitAsync(cancellationToken);

    public ValueTask<BackendStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_engine is null
            ? BackendStatus.NotReady(BackendUnavailableException.ModelLoadingCode, LoadingMessage)
            : BackendStatus.Ready);

    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(GenerationInput input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var engine = _engine ?? throw new BackendUnavailableException(BackendUnavailableException.ModelLoadingCode, LoadingMessage);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tokens = engine.GenerateAsync(input.Prompt, input.Images, input.Sampling, abort.Token).GetAsyncEnumerator();
        var stageStarted = Stopwatch.GetTimestamp();
        var first = true;
        try
        {
            while (await tokens.MoveNextAsync())
            {
                // One engine runs every stage here: encode is part of prefill (time to the first token).
                if (first)
                {
                    stageMetrics.RecordStage(EngineStage.Prefill, Stopwatch.GetElapsedTime(stageStarted));
                    stageStarted = Stopwatch.GetTimestamp();
                    first = false;
                }
                else if (tokens.Current.Finish is FinishReason.Stop or FinishReason.Length)
                {
                    stageMetrics.RecordStage(EngineStage.Decode, Stopwatch.GetElapsedTime(stageStarted));
                }

                yield return tokens.Current;
            }
        }
        finally
        {
            // A caller that stops reading early (a stop string, a failed write) must abort the sequence, not
            // leave it generating: the engine aborts on cancellation, and does nothing once the stream ended.
            await abort.CancelAsync();
            await tokens.DisposeAsync();
        }
    }

    private string LoadingMessage => $"The model '{modelOptions.Name}' is still loading; retry when GET /ready answers 200.";

    private void Load()
    {
        LogLoading(logger, modelOptions.Name);
        var started = Stopwatch.GetTimestamp();
        try
        {
            // The embedded worker's engine: one model in this process, shared by its grains and this backend.
            var engine = workerEngine.Engine;
            _engine = engine;
            LogLoaded(logger, modelOptions.Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, engine.Llm.Stats.TotalBlocks, engine.Llm.MaxModelLength);
        }
        catch (Exception e)
        {
            LogLoadFailed(logger, e, modelOptions.Name);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }
}
