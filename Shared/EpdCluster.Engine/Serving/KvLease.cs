namespace EpdCluster.Engine.Serving;

/// <summary>KV blocks held for a request between stages (reserved for an incoming transfer, or parked awaiting export), until a deadline.</summary>
internal sealed record KvLease(int[] Blocks, long DeadlineTimestamp, int Tokens)
{
    public bool Imported { get; set; }
}
