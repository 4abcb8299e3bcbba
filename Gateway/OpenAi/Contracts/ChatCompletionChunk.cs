using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>
/// One streamed event (<c>"object": "chat.completion.chunk"</c>). Every chunk of a stream has the same id and
/// created; the usage chunk has empty <c>choices</c>, the others no <c>usage</c>.
/// </summary>
internal sealed record ChatCompletionChunk(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<ChatChunkChoice> Choices,
    [property: JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CompletionUsage? Usage = null)
{
    public const string ObjectName = "chat.completion.chunk";

    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string Object => ObjectName;
}
