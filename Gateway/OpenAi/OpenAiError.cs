using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>The inner object of OpenAI's error body; <c>param</c> and <c>code</c> are written as null when unset.</summary>
internal sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);
