using System.Text.Json.Serialization;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>One line of a Mooncake trace: arrival time, lengths and the hash ids of the prompt's prefix blocks.</summary>
internal sealed record MooncakeTraceRecord
{
    /// <summary>Arrival time in milliseconds from the start of the trace.</summary>
    [JsonPropertyName("timestamp")] public double? Timestamp { get; init; }

    [JsonPropertyName("input_length")] public int? InputLength { get; init; }

    [JsonPropertyName("output_length")] public int? OutputLength { get; init; }

    /// <summary>One id per prefix block; requests that share leading ids share that much prompt prefix.</summary>
    [JsonPropertyName("hash_ids")] public List<long>? HashIds { get; init; }
}
