using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>Token counts of one request. Prompt tokens include every image placeholder token.</summary>
internal sealed record CompletionUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("prompt_tokens_details")] PromptTokensDetails PromptTokensDetails)
{
    [JsonPropertyName("total_tokens")]
    [JsonPropertyOrder(1)]
    public int TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>Usage with no cached prompt tokens: no backend reports cache hits yet.</summary>
    public static CompletionUsage Uncached(int promptTokens, int completionTokens) => new(promptTokens, completionTokens, new PromptTokensDetails(0));
}
