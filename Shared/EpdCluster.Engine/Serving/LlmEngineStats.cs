namespace EpdCluster.Engine.Serving;

/// <summary>A snapshot of the language-model engine's load, refreshed after every step.</summary>
/// <param name="QueuedPromptTokens">Prompt tokens admitted but not yet prefilled (routing weight for prefill).</param>
public sealed record LlmEngineStats(
    int Running,
    int Waiting,
    int FreeBlocks,
    int TotalBlocks,
    long QueuedPromptTokens,
    long GeneratedTokens,
    long Steps,
    long Preemptions)
{
    public double KvCacheUsage => TotalBlocks == 0 ? 0 : 1.0 - ((double)FreeBlocks / TotalBlocks);
}
