using System.Buffers;
using System.IO.Hashing;
using System.IO.Pipelines;

namespace EpdCluster.Transfer.Frames;

/// <summary>Writes frames: the length prefix, the header (with the payload's length and checksum filled in), the payload.</summary>
public static class FrameWriter
{
    /// <summary><paramref name="header"/> with <see cref="FrameHeader.PayloadLength"/> and <see cref="FrameHeader.Checksum"/> set for <paramref name="payload"/>.</summary>
    public static FrameHeader Seal(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(header);
        return header with { PayloadLength = payload.Length, Checksum = XxHash64.HashToUInt64(payload) };
    }

    /// <summary>Writes one frame; the payload goes to the stream as is, never copied.</summary>
    public static ValueTask WriteAsync(Stream stream, FrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        WriteSealedAsync(stream, Seal(header, payload.Span), payload, cancellationToken);

    /// <summary>Writes one frame into a pipe and flushes it.</summary>
    public static ValueTask<FlushResult> WriteAsync(PipeWriter writer, FrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var prefixed = FrameHeaderSerializer.SerializeWithPrefix(Seal(header, payload.Span));
        writer.Write(prefixed);
        writer.Write(payload.Span);
        return writer.FlushAsync(cancellationToken);
    }

    /// <summary>Writes <paramref name="header"/> exactly as given (tests use it to put a damaged frame on the wire).</summary>
    internal static async ValueTask WriteSealedAsync(Stream stream, FrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefixed = FrameHeaderSerializer.SerializeWithPrefix(header);
        await stream.WriteAsync(prefixed, cancellationToken).ConfigureAwait(false);
        if (!payload.IsEmpty)
        {
            await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        }
    }
}
