using System.Collections.Concurrent;
using System.Diagnostics;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Telemetry;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// An encode stage on the inference thread: encode calls from any thread queue up and are batched across requests,
/// whole calls up to a tile budget per step. <see cref="VisionEncoderStage"/> runs the vision tower on each batch;
/// <see cref="Simulated.SimulatedTileEncoder"/> replays the profile's encoder step time.
/// </summary>
public abstract class TileEncoderStage : ITileEncoder, IInferenceStage
{
    private readonly VisionConfig _vision;
    private readonly int _maxBatchTiles;
    private readonly EngineMetrics? _metrics;
    private readonly ConcurrentQueue<TileJob> _queue = new();
    private InferenceThread? _thread;
    private long _encodedTiles;
    private int _queuedTiles;

    private protected TileEncoderStage(VisionConfig vision, int maxBatchTiles, EngineMetrics? metrics)
    {
        _vision = vision;
        _maxBatchTiles = maxBatchTiles;
        _metrics = metrics;
    }

    /// <summary>Tiles encoded since start.</summary>
    public long EncodedTiles => Interlocked.Read(ref _encodedTiles);

    /// <summary>Tiles waiting to be encoded.</summary>
    public int QueuedTiles => Volatile.Read(ref _queuedTiles);

    /// <summary>Encode calls waiting (each one image's or one part's tiles).</summary>
    public int QueuedJobs => _queue.Count;

    internal void Attach(InferenceThread thread) => _thread = thread;

    /// <summary>
    /// Encodes <paramref name="tileCount"/> tiles (channel-first, normalized; tileCount × 3 × size × size floats)
    /// into image embeddings: tileCount × tokensPerTile rows of the LLM width, row-major.
    /// </summary>
    public Task<float[]> EncodeTilesAsync(float[] pixels, int tileCount, CancellationToken cancellationToken = default)
    {
        var size = _vision.ImageSize;
        var expected = (long)tileCount * _vision.NumChannels * size * size;
        if (tileCount < 1 || pixels.Length != expected)
        {
            throw new ArgumentException($"Expected {expected} floats for {tileCount} tiles of {size}×{size}, got {pixels.Length}.", nameof(pixels));
        }

        var thread = _thread ?? throw new InvalidOperationException("The encoder stage is not attached to an inference thread.");
        var job = new TileJob(pixels, tileCount, cancellationToken);
        Interlocked.Add(ref _queuedTiles, tileCount);
        _queue.Enqueue(job);
        thread.Wake();
        return job.Completion.Task;
    }

    /// <summary>
    /// Takes the next batch (whole calls, cancelled ones dropped) and completes each call with its embeddings, or all
    /// of them with the batch's exception; false when nothing was queued.
    /// </summary>
    public bool RunStep()
    {
        if (_queue.IsEmpty)
        {
            return false;
        }

        var batch = new List<TileJob>();
        var tiles = 0;
        while (tiles < _maxBatchTiles && _queue.TryPeek(out var next) && (batch.Count == 0 || tiles + next.TileCount <= _maxBatchTiles))
        {
            _queue.TryDequeue(out _);
            Interlocked.Add(ref _queuedTiles, -next.TileCount);
            if (next.Cancellation.IsCancellationRequested)
            {
                next.Completion.TrySetCanceled(next.Cancellation);
                continue;
            }

            batch.Add(next);
            tiles += next.TileCount;
        }

        if (batch.Count == 0)
        {
            return true;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var embeddings = Encode(batch, tiles);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(embeddings[i]);
            }

            Interlocked.Add(ref _encodedTiles, tiles);
            _metrics?.RecordStep(EngineStage.Encode, Stopwatch.GetElapsedTime(started), tiles);
        }
        catch (Exception e)
        {
            foreach (var job in batch)
            {
                job.Completion.TrySetException(e);
            }
        }

        return true;
    }

    /// <summary>Fails every queued job: the inference thread is stopping.</summary>
    public void Shutdown()
    {
        while (_queue.TryDequeue(out var job))
        {
            job.Completion.TrySetException(new OperationCanceledException("The encoder is shutting down."));
        }
    }

    /// <summary>Embeddings for each call of <paramref name="batch"/> (<paramref name="tiles"/> tiles in all), in order. Runs on the inference thread.</summary>
    private protected abstract float[][] Encode(IReadOnlyList<TileJob> batch, int tiles);
}
