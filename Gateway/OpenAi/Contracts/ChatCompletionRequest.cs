using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Gateway.OpenAi.Contracts;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c>. Fields OpenAI defines but this server ignores are not
/// declared (docs/gateway.md lists them); fields it refuses are declared so they can be checked.
/// </summary>
internal sealed record ChatCompletionRequest : IGenerationRequest
{
    [JsonPropertyName("model")] public string? Model { get; init; }

    [JsonPropertyName("messages")] public IReadOnlyList<ChatMessageRequest?>? Messages { get; init; }

    [JsonPropertyName("stream")] public bool? Stream { get; init; }

    [JsonPropertyName("stream_options")] public StreamOptionsRequest? StreamOptions { get; init; }

    /// <summary>The older name of <see cref="MaxCompletionTokens"/>; when both are sent, max_completion_tokens wins.</summary>
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }

    [JsonPropertyName("max_completion_tokens")] public int? MaxCompletionTokens { get; init; }

    [JsonPropertyName("temperature")] public double? Temperature { get; init; }

    [JsonPropertyName("top_p")] public double? TopP { get; init; }

    [JsonPropertyName("seed")] public long? Seed { get; init; }

    /// <summary>A string or an array of up to 4 strings.</summary>
    [JsonPropertyName("stop")] public JsonElement? Stop { get; init; }

    [JsonPropertyName("n")] public int? N { get; init; }

    /// <summary>Accepted and ignored (OpenAI uses it for abuse monitoring).</summary>
    [JsonPropertyName("user")] public string? User { get; init; }

    /// <summary>Refused when true: this server returns no log probabilities.</summary>
    [JsonPropertyName("logprobs")] public bool? Logprobs { get; init; }

    [JsonPropertyName("top_logprobs")] public int? TopLogprobs { get; init; }

    /// <summary>Refused when non-empty: no tool calling.</summary>
    [JsonPropertyName("tools")] public JsonElement? Tools { get; init; }

    [JsonPropertyName("functions")] public JsonElement? Functions { get; init; }

    /// <summary>Only <c>{"type": "text"}</c> is accepted: no JSON mode.</summary>
    [JsonPropertyName("response_format")] public ResponseFormatRequest? ResponseFormat { get; init; }

    /// <summary>vLLM's extension: keep only the K most likely tokens (0 or absent: off).</summary>
    [JsonPropertyName("top_k")] public int? TopK { get; init; }

    /// <summary>vLLM's extension: generate past end-of-text and end-of-turn tokens (benchmarks with exact lengths).</summary>
    [JsonPropertyName("ignore_eos")] public bool? IgnoreEos { get; init; }

    /// <summary>This server's extension: KV codec for the prefill → decode hand-off (<c>kivi</c>, <c>lookm+kivi</c>, …); absent: the cluster's.</summary>
    [JsonPropertyName("kv_codec")] public string? KvCodec { get; init; }
}
