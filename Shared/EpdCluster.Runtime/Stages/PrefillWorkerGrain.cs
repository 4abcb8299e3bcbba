using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Serving;
using EpdCluster.Runtime.Placement;
using EpdCluster.Runtime.Switching;
using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer.Multimodal;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// Prefill role: builds the prompt from token ids and cached image embeddings, batches it with other prefills,
/// returns the first token as soon as it is sampled, then hands the KV blocks to the decode worker in the background.
/// </summary>
[WorkerPlacement]
[Reentrant]
internal sealed partial class PrefillWorkerGrain(
    WorkerEngineHost host,
    IMultimodalTokenCache cache,
    KvHandOff handOff,
    StageActivity activity,
    ILogger<PrefillWorkerGrain> logger) : Grain, IPrefillWorkerGrain
{
    public async Task<PrefillResult> Prefill(PrefillCommand command, CancellationToken cancellationToken = default)
    {
        using var inFlight = activity.Track(WorkerRole.Prefill);
        var engine = host.Engine;
        var images = new List<PromptImage>(command.Images.Count);
        foreach (var image in command.Images)
        {
            var rows = await cache.GetImageAsync(host.ModelId, image.ImageHash, image.TileCount)
                ?? throw new InvalidOperationException($"The embeddings of image {image.ImageHash} are not in the token cache (evicted or never encoded).");
            images.Add(new PromptImage(image.PromptStart, image.TokenCount, rows));
        }

        var request = new GenerationRequest(command.RequestId, command.PromptIds, images, command.Sampling.ToParams())
        {
            PrefillOnly = true,
            KvProbes = handOff.ProbesFor(command),
        };
        var stream = engine.Llm.Submit(request);
        GeneratedToken first;
        using (cancellationToken.Register(() => engine.Llm.Abort(command.RequestId)))
        {
            first = await stream.ReadAsync(CancellationToken.None);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (first.Finish is null)
        {
            // Not awaited: the client has its first token now; the KV hand-off finishes on its own.
            _ = Task.Run(() => handOff.SendAsync(command), CancellationToken.None);
        }

        LogPrefilled(logger, command.RequestId, command.PromptIds.Length, command.DecodeWorkerId);
        return new PrefillResult(first.TokenId, first.Finish.ToWire(), images.Count);
    }

    public Task Abort(long requestId)
    {
        host.Engine.Llm.Abort(requestId);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Prefilled request {RequestId} ({Tokens} tokens) for decode worker {DecodeWorker}")]
    private static partial void LogPrefilled(ILogger logger, long requestId, int tokens, string decodeWorker);
}
