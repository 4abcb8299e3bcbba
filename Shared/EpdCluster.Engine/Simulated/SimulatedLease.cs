namespace EpdCluster.Engine.Simulated;

/// <summary>Blocks held between stages (reserved for an incoming transfer, or parked for export) until a deadline.</summary>
internal sealed record SimulatedLease(int[] Blocks, long DeadlineTimestamp, int Tokens)
{
    /// <summary>Set by an import: the digests the transferred blocks carried.</summary>
    public (ulong Content, ulong Prompt)? Imported { get; set; }

    /// <summary>Parked prompts: the content digest their blocks carry out.</summary>
    public ulong ContentDigest { get; init; }

    public ulong PromptDigest { get; init; }
}
