using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary><c>stream_options</c>: with <c>include_usage</c>, a last chunk with empty <c>choices</c> carries the usage.</summary>
internal sealed record StreamOptionsRequest
{
    [JsonPropertyName("include_usage")] public bool? IncludeUsage { get; init; }
}
