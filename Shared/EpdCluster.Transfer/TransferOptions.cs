using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Kv.Codecs;

namespace EpdCluster.Transfer;

/// <summary>The data plane: KV transport, frame limits, Redis TTLs, cache precision. Section <c>Epd:Transfer</c>.</summary>
public sealed class TransferOptions
{
    public const string SectionName = "Epd:Transfer";

    /// <summary>vLLM's and Mooncake's KV transfer groups stay in the low MiB; 8 epd-tiny blocks are ~1 MiB.</summary>
    public const int DefaultFrameBlocks = 8;

    /// <summary>Upper bound for <see cref="FrameBlocks"/>: a frame is one checksum unit, and a bad one costs a resend of it all.</summary>
    public const int MaxFrameBlocks = 4096;

    /// <summary>Covers a decode worker importing the blocks on an inference thread that is busy with a batch step.</summary>
    public static readonly TimeSpan DefaultAckTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A decode worker pulls a request's KV within milliseconds of the hand-off; a minute only bounds leaks.</summary>
    public static readonly TimeSpan DefaultKvTtl = TimeSpan.FromSeconds(60);

    /// <summary>Encoder output is content-addressed and stays valid for as long as the model does; a day keeps repeat images warm.</summary>
    public static readonly TimeSpan DefaultMultimodalTtl = TimeSpan.FromHours(24);

    /// <summary>Pixels only live between the gateway's preprocessing and the encoders' fetch.</summary>
    public static readonly TimeSpan DefaultPixelTtl = TimeSpan.FromSeconds(120);

    /// <summary>512 MiB: about 570 images of 7 tiles × 64 tokens × 1,024 wide at fp16, per worker.</summary>
    public const long DefaultInProcessCacheBytes = 512L * 1024 * 1024;

    /// <summary>Direct (TCP side channel, default) or Redis.</summary>
    public KvTransport KvTransport { get; set; } = KvTransport.Direct;

    /// <summary>
    /// KV compression between prefill and decode, <c>[lookm+]none|none-f16|kivi|zipcache[+lz4]</c> (default <c>none</c>:
    /// fp32 blocks, so greedy outputs equal the aggregated engine's; <c>kivi</c> is the lossy choice). A request may
    /// name its own (<c>kv_codec</c>).
    /// </summary>
    public string KvCodec { get; set; } = KvCodecSpec.None;

    /// <summary>Parameters of the codecs (<c>Epd:Transfer:KvCodecs:*</c>).</summary>
    public KvCodecOptions KvCodecs { get; set; } = new();

    /// <summary>The parsed <see cref="KvCodec"/>.</summary>
    public KvCodecSpec KvCodecSpec => KvCodecSpec.Parse(KvCodec);

    /// <summary>Loopback port the KV transfer server binds (default 0: any free port, advertised through the control plane).</summary>
    public int DirectPort { get; set; }

    /// <summary>KV blocks per frame (default 8): transfers stream in block groups, never as one giant message.</summary>
    public int FrameBlocks { get; set; } = DefaultFrameBlocks;

    /// <summary>How long a sender waits for the receiver's Ack after its last frame, and for one frame write (default 10 s).</summary>
    public TimeSpan AckTimeout { get; set; } = DefaultAckTimeout;

    /// <summary>How long a sender waits to open a connection to a receiver (default 5 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest frame payload a reader accepts (default 256 MiB).</summary>
    public long MaxPayloadBytes { get; set; } = FrameLimits.DefaultMaxPayloadBytes;

    /// <summary>TTL of KV frames in Redis (default 60 s).</summary>
    public TimeSpan KvTtl { get; set; } = DefaultKvTtl;

    /// <summary>TTL of a cached image's multimodal tokens, refreshed on every write and read (default 24 h).</summary>
    public TimeSpan MultimodalTtl { get; set; } = DefaultMultimodalTtl;

    /// <summary>TTL of staged tile pixels (default 120 s).</summary>
    public TimeSpan PixelTtl { get; set; } = DefaultPixelTtl;

    /// <summary>Precision of cached multimodal tokens (default F16: half the bytes; relative error ≤ 2^-11).</summary>
    public TensorDType CacheDType { get; set; } = TensorDType.F16;

    /// <summary>Precision of staged tile pixels (default F16: half the gateway → encoder traffic).</summary>
    public TensorDType PixelDType { get; set; } = TensorDType.F16;

    /// <summary>Byte budget of the in-process multimodal token cache (default 512 MiB); least recently used images go first.</summary>
    public long InProcessCacheBytes { get; set; } = DefaultInProcessCacheBytes;

    /// <summary>Frame limits for readers built from these options.</summary>
    public FrameLimits FrameLimits => new(FrameLimits.DefaultMaxHeaderBytes, MaxPayloadBytes);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(KvTransport))
        {
            throw new InvalidOperationException($"{SectionName}:KvTransport must be Direct or Redis, not {KvTransport}.");
        }

        if (!KvCodecSpec.TryParse(KvCodec, out _, out var codecError))
        {
            throw new InvalidOperationException($"{SectionName}:KvCodec: {codecError}");
        }

        KvCodecs.Validate();

        if (DirectPort is < 0 or > 65535)
        {
            throw new InvalidOperationException($"{SectionName}:DirectPort must be 0 (any free port) or a TCP port up to 65535, not {DirectPort}.");
        }

        if (FrameBlocks is < 1 or > MaxFrameBlocks)
        {
            throw new InvalidOperationException($"{SectionName}:FrameBlocks must be between 1 and {MaxFrameBlocks}, not {FrameBlocks}.");
        }

        RequirePositive(AckTimeout, nameof(AckTimeout));
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));

        // A payload lands in one Memory<byte>, which int indexes.
        if (MaxPayloadBytes < 1 || MaxPayloadBytes > Array.MaxLength)
        {
            throw new InvalidOperationException($"{SectionName}:MaxPayloadBytes must be between 1 and {Array.MaxLength}, not {MaxPayloadBytes}.");
        }

        RequireRedisTtl(KvTtl, nameof(KvTtl));
        RequireRedisTtl(MultimodalTtl, nameof(MultimodalTtl));
        RequireRedisTtl(PixelTtl, nameof(PixelTtl));

        if (!Enum.IsDefined(CacheDType))
        {
            throw new InvalidOperationException($"{SectionName}:CacheDType must be F16 or F32, not {CacheDType}.");
        }

        if (!Enum.IsDefined(PixelDType))
        {
            throw new InvalidOperationException($"{SectionName}:PixelDType must be F16 or F32, not {PixelDType}.");
        }

        if (InProcessCacheBytes < 1)
        {
            throw new InvalidOperationException($"{SectionName}:InProcessCacheBytes must be positive, not {InProcessCacheBytes}.");
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be positive, not {value}.");
        }
    }

    // Redis expiries are whole milliseconds; anything shorter would expire on arrival.
    private static void RequireRedisTtl(TimeSpan value, string name)
    {
        if (value < TimeSpan.FromMilliseconds(1))
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be at least 1 ms, not {value}.");
        }
    }
}
