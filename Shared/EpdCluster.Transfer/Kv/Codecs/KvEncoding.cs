using MessagePack;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>
/// How a KV transfer's bytes were encoded, carried in every frame header: the codec and its parameters, the cache
/// shape they describe, and the token/slot counts (fewer slots than tokens after eviction). A receiver decodes with
/// these alone; an unknown codec is refused before any payload is used.
/// </summary>
[MessagePackObject]
public sealed record KvEncoding
{
    /// <summary>Quantization codec id (<see cref="KvCodecSpec"/>): none, none-f16, kivi, zipcache.</summary>
    [Key(0)] public string Codec { get; init; } = KvCodecSpec.None;

    /// <summary>Eviction applied before quantization (<c>lookm</c>), or null.</summary>
    [Key(1)] public string? Eviction { get; init; }

    /// <summary>Lossless compression over the codec body (<c>lz4</c>), or null.</summary>
    [Key(2)] public string? Lossless { get; init; }

    /// <summary>Prompt tokens the KV covers: the next token's position.</summary>
    [Key(3)] public int Tokens { get; init; }

    /// <summary>Cache slots encoded (Tokens minus the evicted ones).</summary>
    [Key(4)] public int Slots { get; init; }

    [Key(5)] public int Layers { get; init; }

    [Key(6)] public int KvHeads { get; init; }

    [Key(7)] public int HeadDim { get; init; }

    [Key(8)] public int BlockSize { get; init; }

    /// <summary>Code width (KIVI), or the salient tokens' code width (ZipCache).</summary>
    [Key(9)] public int Bits { get; init; }

    /// <summary>The other tokens' code width (ZipCache).</summary>
    [Key(10)] public int LowBits { get; init; }

    /// <summary>Tokens per key group (keys are quantized per channel over this many tokens).</summary>
    [Key(11)] public int KeyGroupTokens { get; init; }

    /// <summary>Channels per value group (values are quantized per token over this many channels).</summary>
    [Key(12)] public int ValueGroupChannels { get; init; }

    /// <summary>Newest slots kept in fp16 (KIVI).</summary>
    [Key(13)] public int ResidualTokens { get; init; }

    /// <summary>Bytes of the codec body before lossless compression.</summary>
    [Key(14)] public long BodyBytes { get; init; }

    /// <summary>Bytes on the wire: the body after lossless compression (all frames' payloads together).</summary>
    [Key(15)] public long EncodedBytes { get; init; }

    /// <summary>The spec string these fields describe, e.g. <c>lookm+kivi+lz4</c>.</summary>
    public override string ToString() => string.Join('+', new[] { Eviction, Codec, Lossless }.Where(p => p is not null));
}
