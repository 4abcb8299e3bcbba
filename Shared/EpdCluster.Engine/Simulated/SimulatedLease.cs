using EpdCluster.Engine.Serving;

namespace EpdCluster.Engine.Simulated;

/// <summary>The simulated engine's <see cref="BlockLease"/>: the digests its blocks carry.</summary>
internal sealed class SimulatedLease(int[] blocks, long deadlineTimestamp, int tokens) : BlockLease(blocks, deadlineTimestamp, tokens)
{
    /// <summary>Parked prompts: the digests their blocks carry out; reservations: those the imported blocks carried.</summary>
    public (ulong Content, ulong Prompt) Digests { get; set; }
}
