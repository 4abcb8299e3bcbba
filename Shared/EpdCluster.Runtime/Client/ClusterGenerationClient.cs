using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Scheduling;
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
/// Runs one request through the disaggregated stages from the gateway: encode the images' missing tiles across the
/// encode workers with the fewest tiles waiting (per part, retried once elsewhere), reserve KV on the decode worker with the most free blocks,
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
    RequestSampleReporter samples,
    ILogger<ClusterGenerationClient> logger)
{
    /// <summary>Tiles this client has sent to each encoder and not yet had back.</summary>
    private readonly ConcurrentDictionary<string, int> _tilesInFlight = new(StringComparer.Ordinal);

    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(
        long requestId,
        PromptTokens prompt,
        IReadOnlyList<ClusterImage> images,
        SamplingParams sampling,
        GenerationTrace trace,
        string? kvCodec = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var arrived = Stopwatch.GetTimestamp();
        var workers = await grains.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers();
        var encoders = Pick(workers, WorkerRole.Encode, images.Count > 0);
        var prefill = Pick(workers, WorkerRole.Prefill, true).MinBy(w => w.Load.QueuedPromptTokens)!;
        var decoders = Pick(workers, WorkerRole.Decode, true).OrderByDescending(w => w.Load.FreeKvBlocks).ToList();
        trace.PrefillWorker = prefill.WorkerId;

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
        var decode = await ReserveAsync(decoders, requestId, prompt.Ids.Length + spec.MaxTokens);
        trace.DecodeWorker = decode.WorkerId;
        var decodeGrain = grains.GetGrain<IDecodeWorkerGrain>(decode.WorkerId);
        var prefillGrain = grains.GetGrain<IPrefillWorkerGrain>(prefill.WorkerId);

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
        var firstAt = Stopwatch.GetTimestamp();
        var ttft = Stopwatch.GetElapsedTime(arrived, firstAt);
        yield return new GeneratedToken(first.FirstToken, 0, first.Finish.ToEngine());
        if (first.Finished)
        {
            await decodeGrain.Abort(requestId); // frees the reservation nobody will use
            samples.Record(new RequestSample(ttft.TotalSeconds, trace.EncodeTime.TotalSeconds, trace.PrefillTime.TotalSeconds, null));
            yield break;
        }

        started = Stopwatch.GetTimestamp();
        using var decodeActivity = EpdTelemetry.RuntimeActivitySource.StartActivity("decode");
        decodeActivity?.SetTag(EpdTelemetry.ClusterRequestIdTag, requestId);
        decodeActivity?.SetTag(EpdTelemetry.WorkerTag, decode.WorkerId);
        var tokens = decodeGrain.Decode(new DecodeCommand(requestId, prompt.Ids, first.FirstToken, spec, Transport), cancellationToken);
        while (true)
        {
            string? movedTo = null;
            await foreach (var token in tokens)
            {
                if (token.MovedTo is { } next)
                {
                    movedTo = next;
                    break;
                }

                if (token.Finish is TokenFinish.Stop or TokenFinish.Length)
                {
                    metrics.RecordStage(EngineStage.Decode, Stopwatch.GetElapsedTime(started));

                    // TPOT as EPDServe and vLLM define it: (last token - first token) / (output tokens - 1).
                    var tpot = token.Index > 0 ? Stopwatch.GetElapsedTime(firstAt).TotalSeconds / token.Index : (double?)null;
                    samples.Record(new RequestSample(ttft.TotalSeconds, trace.EncodeTime.TotalSeconds, trace.PrefillTime.TotalSeconds, tpot));
                }

                yield return new GeneratedToken(token.TokenId, token.Index, token.Finish.ToEngine());
            }

            if (movedTo is null)
            {
                yield break;
            }

            // A role switch moved the request to another decode worker, which streams on from the next token.
            trace.DecodeWorker = movedTo;
            trace.DecodeMoves++;
            decodeActivity?.SetTag(EpdTelemetry.WorkerTag, movedTo);
            tokens = grains.GetGrain<IDecodeWorkerGrain>(movedTo).Resume(requestId, cancellationToken);
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

    /// <summary>Reserves KV on the decode worker with the most free blocks; one that refuses (draining, full) passes it to the next.</summary>
    private async Task<WorkerInfo> ReserveAsync(List<WorkerInfo> decoders, long requestId, int tokens)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                await grains.GetGrain<IDecodeWorkerGrain>(decoders[i].WorkerId).Reserve(requestId, tokens);
                return decoders[i];
            }
            catch (Exception e) when (i + 1 < decoders.Count)
            {
                LogReserveRefused(logger, requestId, decoders[i].WorkerId, decoders[i + 1].WorkerId, e.Message);
            }
        }
    }

    /// <summary>The workers that take new work for <paramref name="role"/>: they hold it and no role switch is draining them.</summary>
    private static List<WorkerInfo> Pick(IReadOnlyList<WorkerInfo> workers, WorkerRole role, bool required)
    {
        var candidates = workers.Where(w => w.Accepts(role)).ToList();
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

        // Per tile, to the encoder with the fewest tiles waiting (idle ones share an image's tiles round-robin). An
        // encoder's load is the larger of its last heartbeat and the tiles this client has sent it and awaits: the
        // heartbeat sees other gateways' work, the local count sees this second's own.
        var ordered = encoders.ToList();
        var waiting = ordered.Select(w => Math.Max(w.Load.QueuedTiles, _tilesInFlight.GetValueOrDefault(w.WorkerId))).ToList();
        var chosen = TileAssignment.Assign(waiting, parts.Count);
        var assignments = parts.Select((part, i) => (Worker: chosen[i], part.Hash, part.TileCount, part.Tile))
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
            await EncodeOnAsync(encoders[worker].WorkerId, command);
        }
        catch (Exception e) when (encoders.Count > 1)
        {
            var retry = encoders[(worker + 1) % encoders.Count];
            LogEncodeRetry(logger, command.ImageHash, encoders[worker].WorkerId, retry.WorkerId, e.Message);
            await EncodeOnAsync(retry.WorkerId, command);
        }
    }

    private async Task EncodeOnAsync(string workerId, EncodeTilesCommand command)
    {
        var tiles = command.TileIndexes.Count;
        _tilesInFlight.AddOrUpdate(workerId, tiles, (_, n) => n + tiles);
        try
        {
            await grains.GetGrain<IEncoderWorkerGrain>(workerId).EncodeTiles(command);
        }
        finally
        {
            _tilesInFlight.AddOrUpdate(workerId, 0, (_, n) => n - tiles);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Decode worker {Worker} refused the KV reservation of request {RequestId} ({Reason}); trying {Next}")]
    private static partial void LogReserveRefused(ILogger logger, long requestId, string worker, string next, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Encoding tiles of image {ImageHash} on {Worker} failed ({Reason}); retrying on {Retry}")]
    private static partial void LogEncodeRetry(ILogger logger, string imageHash, string worker, string retry, string reason);
}
