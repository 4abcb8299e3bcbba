using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Simulation.Profiles;

/// <summary>
/// How long one worker's engine takes per step, as piecewise-linear curves over measured points, plus its batch limits,
/// KV capacity and KV transfer speed. <c>./epd profile</c> measures one on this machine; one can also be written by
/// hand from published GPU figures. JSON with snake_case names; curves are lists of <c>[x, seconds]</c> pairs.
/// </summary>
public sealed class EngineProfile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Name { get; set; } = "unnamed";

    /// <summary>Where the figures come from (machine and model, or the paper they were taken from).</summary>
    public string? Source { get; set; }

    /// <summary>Image tokens per tile after the projector (epd-tiny: 16).</summary>
    public int TokensPerTile { get; set; } = 16;

    /// <summary>Tokens per KV block (vLLM's 16).</summary>
    public int BlockSize { get; set; } = 16;

    /// <summary>KV blocks one worker holds.</summary>
    public int KvBlocks { get; set; } = 8192;

    /// <summary>KV bytes of one token (all layers, K and V).</summary>
    public long KvBytesPerToken { get; set; } = 2048;

    /// <summary>Most tiles in one encoder step.</summary>
    public int MaxEncodeBatchTiles { get; set; } = 8;

    /// <summary>Most tokens in one language-model step (prefill chunks plus decode tokens).</summary>
    public int MaxBatchTokens { get; set; } = 2048;

    /// <summary>Most sequences in one language-model step.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>Encoder step seconds by tiles in the batch.</summary>
    public double[][] EncodeStepSeconds { get; set; } = [];

    /// <summary>Prefill step seconds by tokens in the step.</summary>
    public double[][] PrefillStepSeconds { get; set; } = [];

    /// <summary>Decode step seconds by sequences in the batch.</summary>
    public double[][] DecodeStepSeconds { get; set; } = [];

    /// <summary>Direct KV channel throughput.</summary>
    public double KvTransferBytesPerSecond { get; set; } = 1e9;

    /// <summary>Fixed cost of one KV transfer (connection, acknowledgement, import).</summary>
    public double KvTransferLatencySeconds { get; set; } = 0.001;

    [JsonIgnore]
    public PiecewiseLinear Encode => _encode ??= PiecewiseLinear.FromPairs(EncodeStepSeconds);

    [JsonIgnore]
    public PiecewiseLinear Prefill => _prefill ??= PiecewiseLinear.FromPairs(PrefillStepSeconds);

    [JsonIgnore]
    public PiecewiseLinear Decode => _decode ??= PiecewiseLinear.FromPairs(DecodeStepSeconds);

    private PiecewiseLinear? _encode;
    private PiecewiseLinear? _prefill;
    private PiecewiseLinear? _decode;

    /// <summary>Seconds to move the KV of <paramref name="tokens"/> tokens from a prefill to a decode worker.</summary>
    public double KvTransferSeconds(int tokens) => KvTransferLatencySeconds + (tokens * (double)KvBytesPerToken / KvTransferBytesPerSecond);

    /// <summary>Seconds of a language-model step mixing <paramref name="sequences"/> sequences and <paramref name="tokens"/> tokens.</summary>
    public double LlmStepSeconds(int sequences, int tokens) => Math.Max(Decode.At(sequences), tokens > sequences ? Prefill.At(tokens) : 0);

    /// <summary>Throws <see cref="InvalidDataException"/> naming the bad field.</summary>
    public void Validate()
    {
        Require(TokensPerTile >= 1, "tokens_per_tile", "at least 1");
        Require(BlockSize >= 1, "block_size", "at least 1");
        Require(KvBlocks >= 1, "kv_blocks", "at least 1");
        Require(KvBytesPerToken >= 0, "kv_bytes_per_token", "0 or more");
        Require(MaxEncodeBatchTiles >= 1, "max_encode_batch_tiles", "at least 1");
        Require(MaxBatchSize >= 1 && MaxBatchTokens >= MaxBatchSize, "max_batch_tokens", "at least max_batch_size (>= 1)");
        Require(KvTransferBytesPerSecond > 0, "kv_transfer_bytes_per_second", "positive");
        Require(KvTransferLatencySeconds >= 0, "kv_transfer_latency_seconds", "0 or more");
        foreach (var (name, curve) in new[] { ("encode_step_seconds", EncodeStepSeconds), ("prefill_step_seconds", PrefillStepSeconds), ("decode_step_seconds", DecodeStepSeconds) })
        {
            try
            {
                _ = PiecewiseLinear.FromPairs(curve);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Profile field {name}: {e.Message}");
            }
        }
    }

    public static EngineProfile Load(string path)
    {
        var profile = JsonSerializer.Deserialize<EngineProfile>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} holds no profile.");
        profile.Validate();
        return profile;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new InvalidDataException($"Profile field {name} must be {rule}.");
        }
    }
}
