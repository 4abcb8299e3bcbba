using System.Collections.Concurrent;
using System.Diagnostics;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Simulation.Profiles;

namespace EpdCluster.Engine.Simulated;

/// <summary>
/// The encode stage without a vision tower: batches tiles across requests like <see cref="VisionEncoderStage"/>,
/// holds the inference thread for the profile's encoder step time, and returns embeddings of the right shape whose
/// only content is a small checksum of each tile's fp16-rounded pixels (itself exact in fp16), so the same image gives
/// the same embeddings whichever store its pixels and embeddings went through.
/// </summary>
public sealed class SimulatedTileEncoder : ITileEncoder, IInferenceStage
{
    /// <summary>Checksums stay below this so fp16 stores them exactly.</summary>
    private const int ChecksumRange = 2048;

    private readonly EpdModelConfig _config;
    private readonly EngineProfile _profile;
    private readonly StepPacer _pacer;
    private readonly EngineMetrics? _metrics;
    private readonly ConcurrentQueue<EncodeJob> _queue = new();
    private InferenceThread? _thread;
    private long _encodedTiles;
    private int _queuedTiles;

    internal SimulatedTileEncoder(EpdModelConfig config, EngineProfile profile, StepPacer pacer, EngineMetrics? metrics)
    {
        _config = config;
        _profile = profile;
        _pacer = pacer;
        _metrics = metrics;
    }

    public long EncodedTiles => Interlocked.Read(ref _encodedTiles);

    public int QueuedTiles => Volatile.Read(ref _queuedTiles);

    public int QueuedJobs => _queue.Count;

    internal void Attach(InferenceThread thread) => _thread = thread;

    public Task<float[]> EncodeTilesAsync(float[] pixels, int tileCount, CancellationToken cancellationToken = default)
    {
        var size = _config.Vision.ImageSize;
        var expected = (long)tileCount * _config.Vision.NumChannels * size * size;
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
        while (tiles < _profile.MaxEncodeBatchTiles && _queue.TryPeek(out var next) && (batch.Count == 0 || tiles + next.TileCount <= _profile.MaxEncodeBatchTiles))
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
        var results = batch.Select(Embed).ToList();
        _pacer.WaitUntil(started, _profile.Encode.At(tiles));
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(results[i]);
        }

        Interlocked.Add(ref _encodedTiles, tiles);
        _metrics?.RecordStep(EngineStage.Encode, Stopwatch.GetElapsedTime(started), tiles);
        return true;
    }

    public void Shutdown()
    {
        while (_queue.TryDequeue(out var job))
        {
            job.Completion.TrySetException(new OperationCanceledException("The encoder is shutting down."));
        }
    }

    /// <summary>tileCount × tokensPerTile rows of the LLM width: zeros, but each tile's first value is its pixels' checksum.</summary>
    private float[] Embed(EncodeJob job)
    {
        var tileFloats = job.Pixels.Length / job.TileCount;
        var rowsPerTile = _config.TokensPerTile * _config.Text.HiddenSize;
        var embeddings = new float[job.TileCount * rowsPerTile];
        for (var tile = 0; tile < job.TileCount; tile++)
        {
            var sum = 0u;
            foreach (var value in job.Pixels.AsSpan(tile * tileFloats, tileFloats))
            {
                // Pixels may travel as fp16 (the pixel store's default): checksum them at that precision.
                sum = (sum * 31) + BitConverter.HalfToUInt16Bits((Half)value);
            }

            embeddings[tile * rowsPerTile] = sum % ChecksumRange;
        }

        return embeddings;
    }

    private sealed record EncodeJob(float[] Pixels, int TileCount, CancellationToken Cancellation)
    {
        public TaskCompletionSource<float[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
