using EpdCluster.Engine.Kv;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>One quantization scheme for KV blocks: encodes a snapshot's slots into a body and back into fp32 blocks.</summary>
internal abstract class KvBlockCodec
{
    /// <summary>The codec id frames carry (<see cref="KvEncoding.Codec"/>).</summary>
    public abstract string Id { get; }

    /// <summary>The body and the parameters a decoder needs (codec-specific fields of <see cref="KvEncoding"/>).</summary>
    public abstract (KvEncoding Parameters, byte[] Body) Encode(KvSnapshot kv);

    /// <summary>The fp32 block data of <see cref="KvEncoding.Slots"/> slots; throws <see cref="KvCodecException"/> when the body does not match.</summary>
    public abstract float[] Decode(KvEncoding encoding, KvLayout layout, ReadOnlySpan<byte> body);

    protected static void RequireBits(int bits, string name)
    {
        if (!BitPacking.IsSupported(bits))
        {
            throw new KvCodecException($"A KV frame asks for {bits}-bit {name} codes; 1, 2, 4 or 8 are understood.");
        }
    }

    protected static void RequirePositive(int value, string name)
    {
        if (value < 1)
        {
            throw new KvCodecException($"A KV frame's {name} is {value}; it must be positive.");
        }
    }
}
