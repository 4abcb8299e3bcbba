using K4os.Compression.LZ4;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>Optional lossless LZ4 (fast level) over a codec body; the decoded length travels in <see cref="KvEncoding.BodyBytes"/>.</summary>
internal static class Lz4Framing
{
    public static byte[] Compress(byte[] body)
    {
        var target = new byte[LZ4Codec.MaximumOutputSize(body.Length)];
        var length = LZ4Codec.Encode(body, target, LZ4Level.L00_FAST);
        return target[..length];
    }

    public static byte[] Decompress(ReadOnlySpan<byte> compressed, long bodyBytes)
    {
        var body = new byte[bodyBytes];
        var length = LZ4Codec.Decode(compressed, body);
        return length == bodyBytes
            ? body
            : throw new KvCodecException($"The LZ4 body does not decode to the {bodyBytes} bytes its header announces (damaged or truncated).");
    }
}
