using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>OpenAI's error body: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
internal sealed record OpenAiErrorResponse([property: JsonPropertyName("error")] OpenAiError Error);
