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

    /// <summary>Usage of a run: its prompt tokens, those the backend served from a cache, and the generated ones.</summary>
    public static CompletionUsage Of(Serving.CompletionRun run, int completionTokens) =>
        new(run.PromptTokens, completionTokens, new PromptTokensDetails(run.CachedPromptTokens));
}
