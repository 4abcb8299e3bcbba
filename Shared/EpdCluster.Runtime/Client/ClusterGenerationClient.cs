using System.Diagnostics;
using System.Runtime.CompilerServices;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Engine.Text;
using EpdCluster.Runtime.Telemetry;
using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer;
using EpdCluster.Transfer.Multimodal;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Client;

/// <summary>
/// Runs one request through the disaggregated stages from the gateway: encode the images' missing tiles across all
/// encode workers (per tile, retried once elsewhere), reserve KV on the decode worker with the most free blocks,
/// prefill on the least-queued prefill worker (the first token streams from there), then stream the rest from decode.
/// </summary>
public sealed partial class ClusterGenerationClient(
    IGrainFactory grains,
    ITilePixelStore pixels,
    IMultimodalTokenCache cache,
    TransferOptions transfer,
    string modelId,
    int tokensPerTile,
    RequestStageMetrics metrics,
    ILogger<ClusterGenerationClient> logger)
{
    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(
        long requestId,
        PromptTokens prompt,
        IReadOnlyList<ClusterImage> images,
        SamplingParams sampling,
        GenerationTrace trace,
        string? kvCodec = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var workers = await grains.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers();
        var encoders = Pick(workers, WorkerRole.Encode, images.Count > 0);
        var prefill = Pick(workers, WorkerRole.Prefill, true).MinBy(w => w.Load.QueuedPromptTokens)!;
        var decode = Pick(workers, WorkerRole.Decode, true).MaxBy(w => w.Load.FreeKvBlocks)!;
        trace.PrefillWorker = prefill.WorkerId;
        trace.DecodeWorker = decode.WorkerId;

        var started = Stopwatch.GetTimestamp();
        List<ImageReference> references;
        using (var encode = EpdTelemetry.RuntimeActivitySource.StartActivity("encode"))
        {
            encode?.SetTag(EpdTelemetry.ClusterRequestIdTag, requestId);
            references = await EncodeAsync(prompt, images, encoders, trace, cancellationToken);
            encode?.SetTag("epd.encoded_tiles", trace.EncodedTiles);
        }

        trace.EncodeTime = Stopwatch.GetElapsedTime(started);
        if (images.Count > 0)
        {
            metrics.RecordStage(EngineStage.Encode, trace.EncodeTime);
        }

        var spec = sampling.ToSpec();
        var decodeGrain = grains.GetGrain<IDecodeWorkerGrain>(decode.WorkerId);
        var prefillGrain = grains.GetGrain<IPrefillWorkerGrain>(prefill.WorkerId);
        await decodeGrain.Reserve(requestId, prompt.Ids.Length + spec.MaxTokens);

        started = Stopwatch.GetTimestamp();
        PrefillResult first;
        using (var prefillActivity = EpdTelemetry.RuntimeActivitySource.StartActivity("prefill"))
        {
            prefillActivity?.SetTag(EpdTelemetry.ClusterRequestIdTag, requestId);
            prefillActivity?.SetTag(EpdTelemetry.WorkerTag, prefill.WorkerId);
            first = await PrefillOrReleaseAsync(prefillGrain, decodeGrain, new PrefillCommand(
                requestId, prompt.Ids, references, spec, decode.WorkerId, decode.TransferEndpoint, Transport, kvCodec), cancellationToken);
        }

        trace.PrefillTime = Stopwatch.GetElapsedTime(started);
        metrics.RecordStage(EngineStage.Prefill, trace.PrefillTime);
        yield return new GeneratedToken(first.FirstToken, 0, first.Finish.ToEngine());
        if (first.Finished)
        {
            await decodeGrain.Abort(requestId); // frees the reservation nobody will use
            yield break;
        }

        started = Stopwatch.GetTimestamp();
        using var decodeActivity = EpdTelemetry.RuntimeActivitySource.StartActivity("decode");
        decodeActivity?.SetTag(EpdTelemetry.ClusterRequestIdTag, requestId);
        decodeActivity?.SetTag(EpdTelemetry.WorkerTag, decode.WorkerId);
        await foreach (var token in decodeGrain.Decode(new DecodeCommand(requestId, prompt.Ids, first.FirstToken, spec, Transport), cancellationToken))
        {
            var finish = token.Finish.ToEngine();
            if (finish is FinishReason.Stop or FinishReason.Length)
            {
                metrics.RecordStage(EngineStage.Decode, Stopwatch.GetElapsedTime(started));
            }

            yield return new GeneratedToken(token.TokenId, token.Index, finish);
        }
    }

    private Abstractions.Workers.KvTransport Transport =>
        transfer.KvTransport == Transfer.KvTransport.Redis ? Abstractions.Workers.KvTransport.Redis : Abstractions.Workers.KvTransport.Direct;

    private static async Task<PrefillResult> PrefillOrReleaseAsync(IPrefillWorkerGrain prefill, IDecodeWorkerGrain decode, PrefillCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return await prefill.Prefill(command, cancellationToken);
        }
        catch
        {
            _ = decode.Abort(command.RequestId);
            throw;
        }
    }

    private static List<WorkerInfo> Pick(IReadOnlyList<WorkerInfo> workers, WorkerRole role, bool required)
    {
        var candidates = workers.Where(w => w.Has(role)).ToList();
        return candidates.Count == 0 && required ? throw new NoWorkersException(role) : candidates;
    }

    /// <summary>Makes sure every image's embeddings are in the token cache and says where each goes in the prompt.</summary>
    private async Task<List<ImageReference>> EncodeAsync(PromptTokens prompt, IReadOnlyList<ClusterImage> images, List<WorkerInfo> encoders, GenerationTrace trace, CancellationToken cancellationToken)
    {
        var parts = new List<(string Hash, int TileCount, int Tile)>();
        var hitTiles = 0;
        foreach (var image in images.DistinctBy(i => i.Hash))
        {
            var present = await cache.GetPresentTilesAsync(modelId, image.Hash, image.Image.TileCount, cancellationToken);
            var missing = Enumerable.Range(0, image.Image.TileCount).Where(t => !present[t]).ToList();
            hitTiles += image.Image.TileCount - missing.Count;
            if (missing.Count > 0)
            {
                await pixels.PutAsync(image.Hash, image.Image.Pixels, image.Image.TileCount, cancellationToken);
                parts.AddRange(missing.Select(t => (image.Hash, image.Image.TileCount, t)));
            }
        }

        var references = prompt.ImageSpans.Select(span => new ImageReference(images[span.ImageIndex].Hash, images[span.ImageIndex].Image.TileCount, span.Start, span.TokenCount)).ToList();
        var encodedTiles = parts.Count;
        trace.EncodedTiles = encodedTiles;
        metrics.RecordCacheLookup(hitTiles, encodedTiles);
        trace.CachedPromptTokens = references.Sum(r => r.TokenCount) - (encodedTiles * tokensPerTile);
        if (parts.Count == 0)
        {
            return references;
        }

        // Per tile, round-robin over encoders from the least loaded: one image's tiles run on every encoder at once.
        var ordered = encoders.OrderBy(w => w.Load.QueuedTiles).ToList();
        var assignments = parts.Select((part, i) => (Worker: i % ordered.Count, part.Hash, part.TileCount, part.Tile))
            .GroupBy(a => (a.Worker, a.Hash, a.TileCount))
            .Select(g => (g.Key.Worker, Command: new EncodeTilesCommand(g.Key.Hash, g.Key.TileCount, g.Select(a => a.Tile).ToList())));
        await Task.WhenAll(assignments.Select(a => EncodePartAsync(ordered, a.Worker, a.Command)));
        cancellationToken.ThrowIfCancellationRequested();
        return references;
    }

    private async Task EncodePartAsync(List<WorkerInfo> encoders, int worker, EncodeTilesCommand command)
    {
        try
        {
            await grains.GetGrain<IEncoderWorkerGrain>(encoders[worker].WorkerId).EncodeTiles(command);
        }
        catch (Exception e) when (encoders.Count > 1)
        {
            var retry = encoders[(worker + 1) % encoders.Count];
            LogEncodeRetry(logger, command.ImageHash, encoders[worker].WorkerId, retry.WorkerId, e.Message);
            await grains.GetGrain<IEncoderWorkerGrain>(retry.WorkerId).EncodeTiles(command);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Encoding tiles of image {ImageHash} on {Worker} failed ({Reason}); retrying on {Retry}")]
    private static partial void LogEncodeRetry(ILogger logger, string imageHash, string worker, string retry, string reason);
}
