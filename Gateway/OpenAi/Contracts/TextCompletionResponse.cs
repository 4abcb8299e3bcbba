using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>
/// A legacy completion (<c>"object": "text_completion"</c>), whole or as one streamed chunk (then <c>usage</c> is
/// left out, except in the usage chunk whose <c>choices</c> is empty).
/// </summary>
internal sealed record TextCompletionResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<TextCompletionChoice> Choices,
    [property: JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CompletionUsage? Usage)
{
    public const string ObjectName = "text_completion";

    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string Object => ObjectName;
}
