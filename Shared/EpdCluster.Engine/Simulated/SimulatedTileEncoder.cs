using System.Diagnostics;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Simulation.Profiles;

namespace EpdCluster.Engine.Simulated;

/// <summary>
/// The encode stage without a vision tower: batches tiles across requests as <see cref="VisionEncoderStage"/> does,
/// holds the inference thread for the profile's encoder step time, and returns embeddings of the right shape whose
/// only content is a small checksum of each tile's fp16-rounded pixels (itself exact in fp16), so the same image gives
/// the same embeddings whichever store its pixels and embeddings went through.
/// </summary>
public sealed class SimulatedTileEncoder : TileEncoderStage
{
    /// <summary>Checksums stay below this so fp16 stores them exactly.</summary>
    private const int ChecksumRange = 2048;

    private readonly EpdModelConfig _config;
    private readonly EngineProfile _profile;
    private readonly StepPacer _pacer;

    internal SimulatedTileEncoder(EpdModelConfig config, EngineProfile profile, StepPacer pacer, EngineMetrics? metrics)
        : base(config.Vision, profile.MaxEncodeBatchTiles, metrics)
    {
        _config = config;
        _profile = profile;
        _pacer = pacer;
    }

    private protected override float[][] Encode(IReadOnlyList<TileJob> batch, int tiles)
    {
        var started = Stopwatch.GetTimestamp();
        var results = batch.Select(Embed).ToArray();
        _pacer.WaitUntil(started, _profile.Encode.At(tiles));
        return results;
    }

    /// <summary>tileCount × tokensPerTile rows of the LLM width: zeros, but each tile's first value is its pixels' checksum.</summary>
    private float[] Embed(TileJob job)
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
}
