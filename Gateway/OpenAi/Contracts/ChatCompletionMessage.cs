using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>The assistant's reply; <c>refusal</c> is always null here.</summary>
internal sealed record ChatCompletionMessage([property: JsonPropertyName("content")] string Content)
{
    public const string AssistantRole = "assistant";

    [JsonPropertyName("role")]
    [JsonPropertyOrder(-1)]
    public string Role => AssistantRole;

    [JsonPropertyName("refusal")] public string? Refusal => null;
}
