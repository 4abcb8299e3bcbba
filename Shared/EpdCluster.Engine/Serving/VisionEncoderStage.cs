using System.Collections.Concurrent;
using System.Diagnostics;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Telemetry;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// Runs the vision tower and projector on the inference thread, batching tiles across requests up to
/// <see cref="EngineOptions.MaxEncoderBatchTiles"/> per step.
/// </summary>
public sealed class VisionEncoderStage : ITileEncoder, IInferenceStage
{
    private readonly MultimodalModel _model;
    private readonly int _maxBatchTiles;
    private readonly EngineMetrics? _metrics;
    private readonly ConcurrentQueue<EncodeJob> _queue = new();
    private InferenceThread? _thread;
    private long _encodedTiles;
    private int _queuedTiles;

    public VisionEncoderStage(MultimodalModel model, EngineOptions options, EngineMetrics? metrics = null)
    {
        _model = model;
        _maxBatchTiles = options.MaxEncoderBatchTiles;
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
        var size = _model.Config.Vision.ImageSize;
        var expected = (long)tileCount * _model.Config.Vision.NumChannels * size * size;
        if (tileCount < 1 || pixels.Length != expected)
        {
            throw new ArgumentException($"Expected {expected} floats for {tileCount} tiles of {size}×{size}, got {pixels.Length}.", nameof(pixels));
        }

        var thread = _thread ?? throw new InvalidOperationException("The encoder stage is not attached to an inference thread.");
        var job = new EncodeJob(pixels, tileCount, cancellationToken);
        Interlocked.Add(ref _queuedTiles, tileCount);
        _queue.Enqueue(job);
        thread.Wake();
        return job.Completion.Task;
    }

    public bool RunStep()
    {
        if (_queue.IsEmpty)
        {
            return false;
        }

        var batch = new List<EncodeJob>();
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
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var size = _model.Config.Vision.ImageSize;
            var channels = _model.Config.Vision.NumChannels;
            var pixels = cat(batch.Select(j => tensor(j.Pixels, [j.TileCount, channels, size, size])).ToList(), 0);
            var embeddings = _model.EncodeTiles(pixels).data<float>().ToArray();
            var rowFloats = _model.Config.TokensPerTile * _model.Config.Text.HiddenSize;
            var offset = 0;
            foreach (var job in batch)
            {
                job.Completion.TrySetResult(embeddings[offset..(offset + (job.TileCount * rowFloats))]);
                offset += job.TileCount * rowFloats;
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

    public void Shutdown()
    {
        while (_queue.TryDequeue(out var job))
        {
            job.Completion.TrySetException(new OperationCanceledException("The encoder is shutting down."));
        }
    }

    private sealed record EncodeJob(float[] Pixels, int TileCount, CancellationToken Cancellation)
    {
        public TaskCompletionSource<float[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
