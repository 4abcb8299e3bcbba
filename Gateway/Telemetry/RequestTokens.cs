namespace EpdCluster.Gateway.Telemetry;

/// <summary>The token counts of one finished request, as its <c>usage</c> reports them.</summary>
/// <param name="Prompt">usage.prompt_tokens (image tokens included).</param>
/// <param name="Image">Image placeholder tokens within the prompt.</param>
/// <param name="CachedPrompt">usage.prompt_tokens_details.cached_tokens.</param>
/// <param name="Generated">usage.completion_tokens.</param>
internal readonly record struct RequestTokens(int Prompt, int Image, int CachedPrompt, int Generated);
