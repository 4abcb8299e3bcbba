namespace EpdCluster.Engine.Serving;

/// <summary>A snapshot of the language-model engine's load, refreshed after every step.</summary>
/// <param name="QueuedPromptTokens">Prompt tokens admitted but not yet prefilled (routing weight for prefill).</param>
/// <param name="ReservedRequests">Requests holding blocks for KV that is still to arrive from a prefill worker.</param>
/// <param name="ParkedRequests">Prefilled requests whose blocks wait to be handed to a decode worker.</param>
/// <param name="SuspendedRequests">Decoding requests paused while they move to another worker.</param>
public sealed record LlmEngineStats(
    int Running,
    int Waiting,
    int FreeBlocks,
    int TotalBlocks,
    long QueuedPromptTokens,
    long GeneratedTokens,
    long Steps,
    long Preemptions,
    int ReservedRequests = 0,
    int ParkedRequests = 0,
    int SuspendedRequests = 0)
{
    public double KvCacheUsage => TotalBlocks == 0 ? 0 : 1.0 - ((double)FreeBlocks / TotalBlocks);
}
