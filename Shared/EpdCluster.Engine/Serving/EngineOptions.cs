namespace EpdCluster.Engine.Serving;

/// <summary>Capacity and batching of one worker's engine. Section <c>Epd:Engine</c> in the hosts.</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Epd:Engine";

    /// <summary>
    /// <see cref="EngineMode.Torch"/> runs the model; <see cref="EngineMode.Simulated"/> replays the timing profile of
    /// <c>Epd:Simulation:Profile</c> without tensors (then the profile's batch limits and KV pool apply, not this section's).
    /// </summary>
    public EngineMode Mode { get; set; } = EngineMode.Torch;

    /// <summary>Tokens per KV block (vLLM's default 16).</summary>
    public int BlockSize { get; set; } = 16;

    /// <summary>Memory for the KV block pool; the block count is this divided by the bytes of one block.</summary>
    public long KvCacheBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Share of blocks kept free when admitting new sequences, so running ones can grow (vLLM's watermark 0.01).</summary>
    public double WatermarkFraction { get; set; } = 0.01;

    /// <summary>Most sequences in one decode batch.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>Most tokens in one forward step; longer prompts are prefilled in chunks (vLLM's max_num_batched_tokens 2048).</summary>
    public int MaxBatchTokens { get; set; } = 2048;

    /// <summary>Most tiles the vision tower runs in one batch.</summary>
    public int MaxEncoderBatchTiles { get; set; } = 8;

    /// <summary>How long reserved or parked KV blocks wait for their transfer before they are freed (vLLM's KV lease: 30 s).</summary>
    public TimeSpan KvLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>libtorch intra-op threads (0 keeps libtorch's default: one per core).</summary>
    public int TorchThreads { get; set; }

    public void Validate()
    {
        Require(Enum.IsDefined(Mode), nameof(Mode), "torch or simulated");
        Require(BlockSize is >= 1 and <= 1024, nameof(BlockSize), "between 1 and 1024");
        Require(KvCacheBytes > 0, nameof(KvCacheBytes), "positive");
        Require(WatermarkFraction is >= 0 and < 0.5, nameof(WatermarkFraction), "in [0, 0.5)");
        Require(MaxBatchSize >= 1, nameof(MaxBatchSize), "at least 1");
        Require(MaxBatchTokens >= MaxBatchSize, nameof(MaxBatchTokens), "at least MaxBatchSize");
        Require(MaxEncoderBatchTiles >= 1, nameof(MaxEncoderBatchTiles), "at least 1");
        Require(TorchThreads >= 0, nameof(TorchThreads), "0 or positive");
        Require(KvLease > TimeSpan.Zero, nameof(KvLease), "positive");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be {rule}.");
        }
    }
}
