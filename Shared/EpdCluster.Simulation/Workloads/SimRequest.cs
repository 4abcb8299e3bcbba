namespace EpdCluster.Simulation.Workloads;

/// <summary>One simulated request: when it arrives, its text tokens, the tiles of its images, and how many tokens it generates.</summary>
public sealed record SimRequest(int Id, double ArrivalSeconds, int TextTokens, int Tiles, int OutputTokens)
{
    /// <summary>Prompt length: text plus image tokens.</summary>
    public int PromptTokens(int tokensPerTile) => TextTokens + (Tiles * tokensPerTile);
}
