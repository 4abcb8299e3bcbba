using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>The body of <c>POST /v1/completions</c> (legacy): one prompt string, no chat template.</summary>
internal sealed record CompletionRequest : IGenerationRequest
{
    [JsonPropertyName("model")] public string? Model { get; init; }

    /// <summary>A string; arrays (several prompts, or token ids) are refused.</summary>
    [JsonPropertyName("prompt")] public JsonElement? Prompt { get; init; }

    [JsonPropertyName("stream")] public bool? Stream { get; init; }

    [JsonPropertyName("stream_options")] public StreamOptionsRequest? StreamOptions { get; init; }

    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }

    [JsonPropertyName("temperature")] public double? Temperature { get; init; }

    [JsonPropertyName("top_p")] public double? TopP { get; init; }

    [JsonPropertyName("seed")] public long? Seed { get; init; }

    [JsonPropertyName("stop")] public JsonElement? Stop { get; init; }

    [JsonPropertyName("n")] public int? N { get; init; }

    [JsonPropertyName("user")] public string? User { get; init; }

    /// <summary>Legacy log probabilities count: refused when above 0.</summary>
    [JsonPropertyName("logprobs")] public int? Logprobs { get; init; }

    /// <summary>Refused when true: the prompt is not echoed.</summary>
    [JsonPropertyName("echo")] public bool? Echo { get; init; }

    /// <summary>Refused when set: no insertion mode.</summary>
    [JsonPropertyName("suffix")] public string? Suffix { get; init; }

    /// <summary>Refused above 1.</summary>
    [JsonPropertyName("best_of")] public int? BestOf { get; init; }

    [JsonPropertyName("top_k")] public int? TopK { get; init; }

    [JsonPropertyName("ignore_eos")] public bool? IgnoreEos { get; init; }

    /// <summary>This server's extension: KV codec for the prefill → decode hand-off (<c>kivi</c>, <c>lookm+kivi</c>, …); absent: the cluster's.</summary>
    [JsonPropertyName("kv_codec")] public string? KvCodec { get; init; }
}
