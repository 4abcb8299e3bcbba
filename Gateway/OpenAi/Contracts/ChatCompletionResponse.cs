using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>A whole chat completion (<c>"object": "chat.completion"</c>).</summary>
internal sealed record ChatCompletionResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<ChatCompletionChoice> Choices,
    [property: JsonPropertyName("usage")] CompletionUsage Usage)
{
    public const string ObjectName = "chat.completion";

    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string Object => ObjectName;
}
