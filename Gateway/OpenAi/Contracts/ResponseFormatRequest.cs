using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary><c>response_format</c>: only <c>text</c> is served.</summary>
internal sealed record ResponseFormatRequest
{
    [JsonPropertyName("type")] public string? Type { get; init; }
}
