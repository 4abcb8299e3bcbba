using System.Buffers.Binary;
using MessagePack;

namespace EpdCluster.Transfer.Frames;

/// <summary>Length-prefixed MessagePack encoding of <see cref="FrameHeader"/>, and the checks every decoded header must pass.</summary>
internal static class FrameHeaderSerializer
{
    /// <summary>The little-endian uint32 header length in front of every header.</summary>
    public const int PrefixBytes = sizeof(uint);

    /// <summary>Most dimensions a shape may have: KV storage has 6, images 4; more is a corrupt header.</summary>
    public const int MaxShapeRank = 8;

    // Headers come from other processes: UntrustedData bounds MessagePack's recursion and hash-collision exposure.
    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>The prefix and the header, ready to precede the payload.</summary>
    public static byte[] SerializeWithPrefix(FrameHeader header)
    {
        var body = MessagePackSerializer.Serialize(header, Options);
        var bytes = new byte[PrefixBytes + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)body.Length);
        body.CopyTo(bytes.AsSpan(PrefixBytes));
        return bytes;
    }

    /// <summary>Reads and bounds-checks a header length prefix.</summary>
    public static int ReadLength(ReadOnlySpan<byte> prefix, FrameLimits limits)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        if (length == 0 || length > (uint)limits.MaxHeaderBytes)
        {
            throw new FrameFormatException($"Frame header length {length} is outside 1..{limits.MaxHeaderBytes} bytes: not a frame, or a corrupt one.");
        }

        return (int)length;
    }

    public static FrameHeader Deserialize(ReadOnlyMemory<byte> body, FrameLimits limits)
    {
        FrameHeader? header;
        try
        {
            header = MessagePackSerializer.Deserialize<FrameHeader>(body, Options);
        }
        catch (MessagePackSerializationException e)
        {
            throw new FrameFormatException($"Frame header of {body.Length} bytes is not valid MessagePack: {e.Message}", e);
        }

        if (header is null)
        {
            throw new FrameFormatException("Frame header is MessagePack nil.");
        }

        Validate(header, limits);
        return header;
    }

    /// <summary>Rejects headers whose fields contradict each other or the limits, before any payload is read.</summary>
    public static void Validate(FrameHeader header, FrameLimits limits)
    {
        if (header.Version is < 1 or > FrameHeader.CurrentVersion)
        {
            throw new FrameFormatException($"Frame header version {header.Version} is not supported (this reader understands 1..{FrameHeader.CurrentVersion}).");
        }

        if (!Enum.IsDefined(header.Kind))
        {
            throw new FrameFormatException($"Unknown frame kind {(int)header.Kind}.");
        }

        if (header.Count < 1 || header.Index < 0 || header.Index >= header.Count)
        {
            throw new FrameFormatException($"Frame index {header.Index} of count {header.Count} is not a position in a transfer.");
        }

        if (header.PayloadLength < 0 || header.PayloadLength > limits.MaxPayloadBytes)
        {
            throw new FrameFormatException($"Frame payload length {header.PayloadLength} of request {header.RequestId} is outside 0..{limits.MaxPayloadBytes} bytes.");
        }

        if (header.Offset < 0)
        {
            throw new FrameFormatException($"Frame offset {header.Offset} is negative.");
        }

        var shape = header.Shape ?? throw new FrameFormatException("Frame shape is missing.");
        if (shape.Length > MaxShapeRank)
        {
            throw new FrameFormatException($"Frame shape has {shape.Length} dimensions; at most {MaxShapeRank} are accepted.");
        }

        var elementSize = TensorDTypes.ElementSize(header.DType ?? "");
        if (shape.Length > 0)
        {
            long elements = 1;
            foreach (var dimension in shape)
            {
                if (dimension < 0)
                {
                    throw new FrameFormatException($"Frame shape [{string.Join(", ", shape)}] has a negative dimension.");
                }

                // Saturate: any product past the payload limit is already a mismatch.
                elements = Math.Min(elements * dimension, limits.MaxPayloadBytes + 1);
            }

            if (elements * elementSize != header.PayloadLength)
            {
                throw new FrameFormatException(
                    $"Frame shape [{string.Join(", ", shape)}] of {header.DType} needs {elements * elementSize} bytes but the payload length is {header.PayloadLength}.");
            }
        }
    }
}
