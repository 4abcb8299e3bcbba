namespace EpdCluster.Engine.Serving;

/// <summary>The language model's <see cref="BlockLease"/>: what imported KV covered, and what a parked prompt exports with its blocks.</summary>
internal sealed class KvLease(int[] blocks, long deadlineTimestamp, int tokens) : BlockLease(blocks, deadlineTimestamp, tokens)
{
    /// <summary>Prompt tokens the imported KV covers (null for raw block imports, which do not say).</summary>
    public int? ImportedTokens { get; set; }

    /// <summary>Tokens the imported KV evicted: the sequence's positions run this far ahead of its slots.</summary>
    public int PositionOffset { get; set; }

    /// <summary>Parked prompts: probe positions and their captured queries per layer, for saliency at export.</summary>
    public int[]? ProbePositions { get; init; }

    public float[][]? ProbeQueries { get; init; }

    /// <summary>Parked prompts: which tokens are image tokens.</summary>
    public bool[]? ImageTokens { get; init; }
}
