using System.Buffers;
using System.Buffers.Binary;
using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>Appends a codec body: fp16 parameters, packed codes, fp16 or fp32 runs (little-endian).</summary>
internal sealed class KvBodyWriter(int capacity)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(Math.Max(1, capacity));

    public int Length => _buffer.WrittenCount;

    public void Half(Half value)
    {
        BinaryPrimitives.WriteHalfLittleEndian(_buffer.GetSpan(sizeof(ushort)), value);
        _buffer.Advance(sizeof(ushort));
    }

    public void Codes(ReadOnlySpan<byte> codes, int bits)
    {
        var length = BitPacking.PackedLength(codes.Length, bits);
        BitPacking.Pack(codes, bits, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    public void Halves(ReadOnlySpan<float> values)
    {
        var length = values.Length * sizeof(ushort);
        HalfPrecision.ToHalf(values, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(_buffer.GetSpan(length)[..length]));
        _buffer.Advance(length);
    }

    public void Singles(ReadOnlySpan<float> values)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values);
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
