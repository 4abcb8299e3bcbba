namespace EpdCluster.Gateway.Serving;

/// <summary>Figures a backend reports about one request while it runs; set before its first token.</summary>
internal sealed class GenerationReport
{
    /// <summary>Prompt tokens served from a cache (image tokens whose encoder output was already cached).</summary>
    public int CachedPromptTokens { get; set; }
}
