using EpdCluster.Engine.Kv;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>
/// Encodes a sequence's KV for transfer by a <see cref="KvCodecSpec"/> (eviction, then quantization, then lossless
/// framing) and decodes it from the <see cref="KvEncoding"/> its frames carry. Thread-safe; no tensors, so it runs on
/// transfer threads, never the inference thread.
/// </summary>
public sealed class KvCompressor
{
    /// <summary>Largest position count a decoder accepts: beyond any context this project serves, so a bad header cannot allocate without bound.</summary>
    private const int MaxTokens = 1 << 20;

    private readonly Dictionary<string, KvBlockCodec> _codecs;
    private readonly LookMEviction _lookM;

    public KvCompressor(KvCodecOptions options)
    {
        options.Validate();
        Options = options;
        _codecs = new KvBlockCodec[] { new PlainKvCodec(half: false), new PlainKvCodec(half: true), new KiviKvCodec(options), new ZipCacheKvCodec(options) }
            .ToDictionary(c => c.Id);
        _lookM = new LookMEviction(options);
    }

    public KvCodecOptions Options { get; }

    /// <summary>Which prompt positions to capture queries of during prefill, for codecs that need saliency.</summary>
    public KvProbeSettings Probes => new(Options.ProbeRecentFraction, Options.ProbeRandomFraction);

    /// <summary>The encoded bytes and the header that describes them.</summary>
    public (KvEncoding Encoding, byte[] Bytes) Encode(KvSnapshot kv, KvCodecSpec spec)
    {
        var codec = _codecs[spec.Codec];
        var kept = spec.LookM ? _lookM.Evict(kv) : kv;
        var (parameters, body) = codec.Encode(kept);
        var bytes = spec.Lossless == KvCodecSpec.Lz4 ? Lz4Framing.Compress(body) : body;
        var layout = kv.Layout;
        var encoding = parameters with
        {
            Codec = codec.Id,
            Eviction = kept.Slots < kv.Slots ? KvCodecSpec.LookMEviction : null,
            Lossless = spec.Lossless,
            Tokens = kept.Tokens,
            Slots = kept.Slots,
            Layers = layout.Layers,
            KvHeads = layout.KvHeads,
            HeadDim = layout.HeadDim,
            BlockSize = layout.BlockSize,
            BodyBytes = body.Length,
            EncodedBytes = bytes.Length,
        };
        return (encoding, bytes);
    }

    /// <summary>Throws <see cref="KvCodecException"/> unless this build can decode <paramref name="encoding"/> into a cache of <paramref name="layout"/>.</summary>
    public void EnsureDecodable(KvEncoding encoding, KvLayout layout)
    {
        if (!_codecs.ContainsKey(encoding.Codec ?? ""))
        {
            throw new KvCodecException($"Unknown KV codec '{encoding.Codec}' in a frame; this worker decodes {string.Join(", ", KvCodecSpec.Codecs)}.");
        }

        if (encoding.Eviction is not (null or KvCodecSpec.LookMEviction) || encoding.Lossless is not (null or KvCodecSpec.Lz4))
        {
            throw new KvCodecException($"Unknown KV eviction '{encoding.Eviction}' or lossless framing '{encoding.Lossless}' in a frame.");
        }

        var encoded = new KvLayout(encoding.Layers, encoding.KvHeads, encoding.HeadDim, encoding.BlockSize);
        if (encoded != layout)
        {
            throw new KvCodecException($"KV encoded for layout {encoded} cannot be decoded into a cache of layout {layout}.");
        }

        if (encoding.Tokens is < 1 or > MaxTokens || encoding.Slots < 1 || encoding.Slots > encoding.Tokens || (encoding.Eviction is null && encoding.Slots != encoding.Tokens))
        {
            throw new KvCodecException($"A KV frame claims {encoding.Slots} slots for {encoding.Tokens} tokens with eviction '{encoding.Eviction}'.");
        }

        var bound = (2L * layout.FloatsFor(encoding.Slots) * sizeof(float)) + layout.BytesPerBlock;
        if (encoding.BodyBytes < 0 || encoding.BodyBytes > bound || encoding.EncodedBytes < 0)
        {
            throw new KvCodecException($"A KV frame announces a {encoding.BodyBytes}-byte body for {encoding.Slots} slots (at most {bound}).");
        }
    }

    public KvSnapshot Decode(KvEncoding encoding, ReadOnlySpan<byte> bytes, KvLayout layout)
    {
        EnsureDecodable(encoding, layout);
        if (bytes.Length != encoding.EncodedBytes)
        {
            throw new KvCodecException($"Encoded KV of {bytes.Length} bytes does not match the {encoding.EncodedBytes} its header announces.");
        }

        var body = encoding.Lossless == KvCodecSpec.Lz4 ? Lz4Framing.Decompress(bytes, encoding.BodyBytes) : bytes;
        if (body.Length != encoding.BodyBytes)
        {
            throw new KvCodecException($"The {encoding.Codec} body has {body.Length} bytes, not the {encoding.BodyBytes} its header announces.");
        }

        return new KvSnapshot(layout, encoding.Tokens, encoding.Slots, _codecs[encoding.Codec].Decode(encoding, layout, body));
    }
}
