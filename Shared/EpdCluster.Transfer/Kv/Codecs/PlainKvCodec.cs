using System.Runtime.InteropServices;
using EpdCluster.Engine.Kv;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary><c>none</c>: the blocks as the paged cache holds them (fp32, lossless); <c>none-f16</c>: the same in fp16.</summary>
internal sealed class PlainKvCodec(bool half) : KvBlockCodec
{
    public override string Id => half ? KvCodecSpec.NoneF16 : KvCodecSpec.None;

    public override (KvEncoding Parameters, byte[] Body) Encode(KvSnapshot kv)
    {
        if (!half)
        {
            return (new KvEncoding(), MemoryMarshal.AsBytes(kv.Data.AsSpan()).ToArray());
        }

        var writer = new KvBodyWriter(kv.Data.Length * sizeof(ushort));
        writer.Halves(kv.Data);
        return (new KvEncoding(), writer.ToArray());
    }

    public override float[] Decode(KvEncoding encoding, KvLayout layout, ReadOnlySpan<byte> body)
    {
        var data = new float[layout.FloatsFor(encoding.Slots)];
        var reader = new KvBodyReader(body, Id);
        if (half)
        {
            reader.Halves(data);
        }
        else
        {
            reader.Singles(data);
        }

        reader.EnsureEnd();
        return data;
    }
}
