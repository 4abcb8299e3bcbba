using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>The answer of <c>GET /v1/models</c> (<c>"object": "list"</c>).</summary>
internal sealed record ModelList([property: JsonPropertyName("data")] IReadOnlyList<ModelCard> Data)
{
    public const string ObjectName = "list";

    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string Object => ObjectName;
}
