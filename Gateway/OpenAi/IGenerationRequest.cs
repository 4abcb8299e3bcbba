using System.Text.Json;
using EpdCluster.Gateway.OpenAi.Contracts;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>The parameters chat and legacy completions share, validated once by <see cref="GenerationSettings.Read"/>.</summary>
internal interface IGenerationRequest
{
    string? Model { get; }

    bool? Stream { get; }

    StreamOptionsRequest? StreamOptions { get; }

    double? Temperature { get; }

    double? TopP { get; }

    int? TopK { get; }

    long? Seed { get; }

    JsonElement? Stop { get; }

    int? N { get; }

    bool? IgnoreEos { get; }

    /// <summary>This server's extension: the KV codec between prefill and decode workers (docs/kv-compression.md).</summary>
    string? KvCodec { get; }
}
