using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>One entry of <c>messages</c>. <c>content</c> is a string or an array of parts, read by the prompt builder.</summary>
internal sealed record ChatMessageRequest
{
    [JsonPropertyName("role")] public string? Role { get; init; }

    [JsonPropertyName("content")] public JsonElement? Content { get; init; }

    /// <summary>Accepted and ignored.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }
}
