namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>Packs b-bit codes (b = 1, 2, 4 or 8) into bytes, lowest bits first: two 4-bit codes or four 2-bit codes per byte.</summary>
internal static class BitPacking
{
    public static bool IsSupported(int bits) => bits is 1 or 2 or 4 or 8;

    public static int PackedLength(int count, int bits) => ((count * bits) + 7) / 8;

    public static void Pack(ReadOnlySpan<byte> codes, int bits, Span<byte> packed)
    {
        var perByte = 8 / bits;
        packed[..PackedLength(codes.Length, bits)].Clear();
        for (var i = 0; i < codes.Length; i++)
        {
            packed[i / perByte] |= (byte)(codes[i] << (i % perByte * bits));
        }
    }

    public static void Unpack(ReadOnlySpan<byte> packed, int bits, Span<byte> codes)
    {
        var perByte = 8 / bits;
        var mask = (1 << bits) - 1;
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = (byte)((packed[i / perByte] >> (i % perByte * bits)) & mask);
        }
    }
}
