using EpdCluster.Simulation.Profiles;

namespace EpdCluster.Simulation.Tests;

/// <summary>Hand-written profiles whose costs are linear (no batching gain), so each stage's capacity is known exactly.</summary>
internal static class Profiles
{
    /// <summary>
    /// Per worker: encode 0.2 s per tile, prefill 0.5 s per 180 tokens, decode 0.05 s per sequence per step; KV moves
    /// for free. With <see cref="Workloads.OneImage"/> (5 tiles, 180 prompt tokens, 11 output tokens) one worker
    /// serves 1 req/s encoding, 2 req/s prefilling, 2 req/s decoding.
    /// </summary>
    public static EngineProfile Linear(double encodeSecondsPerTile = 0.2, double decodeSecondsPerSequence = 0.05) => new()
    {
        Name = "linear synthetic",
        TokensPerTile = 16,
        BlockSize = 16,
        KvBlocks = 100_000,
        KvBytesPerToken = 0,
        KvTransferLatencySeconds = 0,
        MaxEncodeBatchTiles = 8,
        MaxBatchSize = 64,
        MaxBatchTokens = 4096,
        EncodeStepSeconds = [[1, encodeSecondsPerTile]],
        PrefillStepSeconds = [[180, 0.5]],
        DecodeStepSeconds = [[1, decodeSecondsPerSequence]],
    };
}
