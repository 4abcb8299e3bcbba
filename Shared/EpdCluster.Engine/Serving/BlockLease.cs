namespace EpdCluster.Engine.Serving;

/// <summary>
/// KV blocks held for a request between stages (reserved for an incoming transfer, or parked awaiting export), until
/// a deadline. Each engine adds what its KV carries.
/// </summary>
internal abstract class BlockLease(int[] blocks, long deadlineTimestamp, int tokens)
{
    /// <summary>The leased block ids; fewer after an import that needs less than was reserved.</summary>
    public int[] Blocks { get; set; } = blocks;

    public long DeadlineTimestamp { get; } = deadlineTimestamp;

    /// <summary>Tokens the blocks were leased for: the reservation's budget, or the parked prompt.</summary>
    public int Tokens { get; } = tokens;

    /// <summary>Set once transferred KV has been written into the reserved blocks.</summary>
    public bool Imported { get; set; }
}
