using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary><c>cached_tokens</c>: prompt tokens served from a cache (image tokens whose encoder output the token cache already held).</summary>
internal sealed record PromptTokensDetails([property: JsonPropertyName("cached_tokens")] int CachedTokens);
