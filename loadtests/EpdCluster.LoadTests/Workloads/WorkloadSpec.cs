using System.Text.Json.Serialization;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>
/// A workload as written in a scenario file or on the command line: every distribution as text (see
/// <see cref="IntDistribution"/>). Null fields take <see cref="WorkloadOptions"/>' defaults. Kept in the result file as given.
/// </summary>
internal sealed record WorkloadSpec
{
    /// <summary><c>synthetic</c>, <c>dataset</c> or <c>mooncake</c>; null: <c>dataset</c> when a dataset is given, <c>mooncake</c> when a trace is, else synthetic.</summary>
    [JsonPropertyName("kind")] public string? Kind { get; init; }

    /// <summary>A dataset JSONL file (relative paths are against the scenario file's folder).</summary>
    [JsonPropertyName("dataset")] public string? Dataset { get; init; }

    /// <summary>A Mooncake trace JSONL file.</summary>
    [JsonPropertyName("trace")] public string? Trace { get; init; }

    [JsonPropertyName("prompt_tokens")] public string? PromptTokens { get; init; }

    [JsonPropertyName("output_tokens")] public string? OutputTokens { get; init; }

    [JsonPropertyName("images_per_request")] public string? ImagesPerRequest { get; init; }

    [JsonPropertyName("image_short_side")] public string? ImageShortSide { get; init; }

    [JsonPropertyName("aspect_ratios")] public string? AspectRatios { get; init; }

    [JsonPropertyName("image_formats")] public string? ImageFormats { get; init; }

    [JsonPropertyName("image_reuse_ratio")] public double? ImageReuseRatio { get; init; }

    [JsonPropertyName("image_pool_size")] public int? ImagePoolSize { get; init; }

    [JsonPropertyName("trace_block_tokens")] public int? TraceBlockTokens { get; init; }
}
