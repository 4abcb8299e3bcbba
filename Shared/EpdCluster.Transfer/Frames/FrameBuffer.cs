using System.IO.Hashing;

namespace EpdCluster.Transfer.Frames;

/// <summary>A frame as one contiguous byte array: the form it takes as a Redis value.</summary>
public static class FrameBuffer
{
    /// <summary>Prefix + header (sealed for <paramref name="payload"/>) + payload in one array.</summary>
    public static byte[] Encode(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        var prefixed = FrameHeaderSerializer.SerializeWithPrefix(FrameWriter.Seal(header, payload));
        var bytes = new byte[prefixed.Length + payload.Length];
        prefixed.CopyTo(bytes, 0);
        payload.CopyTo(bytes.AsSpan(prefixed.Length));
        return bytes;
    }

    /// <summary>
    /// Decodes a whole frame and verifies its checksum. Throws <see cref="FrameFormatException"/>,
    /// <see cref="FrameTruncatedException"/> or <see cref="FrameChecksumException"/>; never returns damaged bytes.
    /// </summary>
    public static ParsedFrame Decode(ReadOnlyMemory<byte> frame, FrameLimits limits)
    {
        if (frame.Length < FrameHeaderSerializer.PrefixBytes)
        {
            throw new FrameTruncatedException($"A frame needs at least {FrameHeaderSerializer.PrefixBytes} bytes; got {frame.Length}.");
        }

        var headerLength = FrameHeaderSerializer.ReadLength(frame.Span, limits);
        var payloadStart = FrameHeaderSerializer.PrefixBytes + headerLength;
        if (frame.Length < payloadStart)
        {
            throw new FrameTruncatedException($"Frame of {frame.Length} bytes ends inside its {headerLength}-byte header.");
        }

        var header = FrameHeaderSerializer.Deserialize(frame[FrameHeaderSerializer.PrefixBytes..payloadStart], limits);
        var payload = frame[payloadStart..];
        if (payload.Length != header.PayloadLength)
        {
            throw payload.Length < header.PayloadLength
                ? new FrameTruncatedException($"Frame holds {payload.Length} of the {header.PayloadLength} payload bytes of {header}.")
                : new FrameFormatException($"Frame holds {payload.Length - header.PayloadLength} bytes past the payload of {header}.");
        }

        var actual = XxHash64.HashToUInt64(payload.Span);
        if (actual != header.Checksum)
        {
            throw new FrameChecksumException(header.RequestId, header.Index, header.Checksum, actual);
        }

        return new ParsedFrame(header, payload);
    }
}
