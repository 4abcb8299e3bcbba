using System.Text.Json.Serialization;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>One line of a dataset JSONL file (docs/loadtests.md, "Dataset replay").</summary>
internal sealed record DatasetRecord
{
    /// <summary>The user text.</summary>
    [JsonPropertyName("prompt")] public string? Prompt { get; init; }

    /// <summary>Each: a file path (relative to the dataset file), a data: URL, or bare base64 of PNG/JPEG/GIF/WebP bytes.</summary>
    [JsonPropertyName("images")] public List<string>? Images { get; init; }

    /// <summary>max_tokens for this request; missing: drawn from the output-tokens distribution.</summary>
    [JsonPropertyName("output_tokens")] public int? OutputTokens { get; init; }

    /// <summary>When to send it, in milliseconds from the start of the replay; all lines or none.</summary>
    [JsonPropertyName("offset_ms")] public double? OffsetMs { get; init; }
}
