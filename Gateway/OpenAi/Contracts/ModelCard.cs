using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>A served model (<c>"object": "model"</c>).</summary>
internal sealed record ModelCard(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy)
{
    public const string ObjectName = "model";

    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string Object => ObjectName;
}
