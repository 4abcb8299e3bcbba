using System.Buffers.Binary;
using System.Runtime.InteropServices;
using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>Reads a codec body written by <see cref="KvBodyWriter"/>; running past its end, or stopping short of it, is an error.</summary>
internal ref struct KvBodyReader(ReadOnlySpan<byte> body, string codec)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public Half Half() => BinaryPrimitives.ReadHalfLittleEndian(Take(sizeof(ushort)));

    public void Codes(Span<byte> codes, int bits) => BitPacking.Unpack(Take(BitPacking.PackedLength(codes.Length, bits)), bits, codes);

    public void Halves(Span<float> values) => HalfPrecision.ToSingle(MemoryMarshal.Cast<byte, Half>(Take(values.Length * sizeof(ushort))), values);

    public void Singles(Span<float> values) => Take(values.Length * sizeof(float)).CopyTo(MemoryMarshal.AsBytes(values));

    /// <summary>Throws unless the whole body was read: a longer body does not match its parameters.</summary>
    public readonly void EnsureEnd()
    {
        if (_position != _body.Length)
        {
            throw new KvCodecException($"The {codec} body has {_body.Length} bytes, but its parameters describe {_position}.");
        }
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > _body.Length - _position)
        {
            throw new KvCodecException($"The {codec} body ends after {_body.Length} bytes, before its parameters say it should (truncated?).");
        }

        var slice = _body.Slice(_position, length);
        _position += length;
        return slice;
    }
}
