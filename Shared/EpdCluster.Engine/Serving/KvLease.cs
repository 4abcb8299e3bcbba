namespace EpdCluster.Engine.Serving;

/// <summary>KV blocks held for a request between stages (reserved for an incoming transfer, or parked awaiting export), until a deadline.</summary>
internal sealed record KvLease(int[] Blocks, long DeadlineTimestamp, int Tokens)
{
    public bool Imported { get; set; }

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
