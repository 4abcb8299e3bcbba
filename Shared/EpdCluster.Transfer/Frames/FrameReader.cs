using System.Buffers;
using System.IO.Hashing;

namespace EpdCluster.Transfer.Frames;

/// <summary>
/// Reads frames from a stream: first the header, then the payload straight into memory the caller chooses (a KV
/// block, a tensor buffer), hashing each chunk as it lands. A payload whose checksum fails throws
/// <see cref="FrameChecksumException"/>; the caller must treat the destination's bytes as garbage then.
/// Not thread-safe: one reader per stream, one frame at a time.
/// </summary>
public sealed class FrameReader(Stream stream, FrameLimits limits)
{
    /// <summary>Scratch size for skipping a refused payload.</summary>
    private const int SkipBufferBytes = 64 * 1024;

    private readonly byte[] _prefix = new byte[FrameHeaderSerializer.PrefixBytes];
    private readonly XxHash64 _hash = new();
    private byte[] _headerBuffer = new byte[256];
    private FrameHeader? _pending;

    public FrameReader(Stream stream)
        : this(stream, FrameLimits.Default)
    {
    }

    public FrameLimits Limits { get; } = limits;

    /// <summary>
    /// The next frame's header, or null when the stream ends cleanly between frames. The payload must be consumed
    /// next with <see cref="ReadPayloadAsync"/> or <see cref="SkipPayloadAsync"/>.
    /// </summary>
    public async ValueTask<FrameHeader?> ReadHeaderAsync(CancellationToken cancellationToken = default)
    {
        if (_pending is not null)
        {
            throw new InvalidOperationException($"The payload of {_pending} has not been read or skipped.");
        }

        var read = await stream.ReadAtLeastAsync(_prefix, _prefix.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < _prefix.Length)
        {
            throw new FrameTruncatedException($"Stream ended inside a frame's length prefix ({read} of {_prefix.Length} bytes).");
        }

        var length = FrameHeaderSerializer.ReadLength(_prefix, Limits);
        if (_headerBuffer.Length < length)
        {
            _headerBuffer = new byte[length];
        }

        read = await stream.ReadAtLeastAsync(_headerBuffer.AsMemory(0, length), length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < length)
        {
            throw new FrameTruncatedException($"Stream ended inside a frame header ({read} of {length} bytes).");
        }

        var header = FrameHeaderSerializer.Deserialize(_headerBuffer.AsMemory(0, length), Limits);
        _pending = header.PayloadLength > 0 ? header : null;
        return header;
    }

    /// <summary>
    /// Reads the pending payload into the start of <paramref name="destination"/> and verifies its checksum.
    /// Throws <see cref="ArgumentException"/> (nothing read, the payload still pending) when the destination is too small.
    /// </summary>
    public async ValueTask ReadPayloadAsync(FrameHeader header, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.PayloadLength == 0)
        {
            VerifyChecksum(header, ReadOnlySpan<byte>.Empty);
            return;
        }

        ExpectPending(header);
        if (destination.Length < header.PayloadLength)
        {
            throw new ArgumentException($"Destination of {destination.Length} bytes cannot hold the {header.PayloadLength}-byte payload of {header}.", nameof(destination));
        }

        _pending = null;
        var target = destination[..(int)header.PayloadLength];
        _hash.Reset();
        var filled = 0;
        while (filled < target.Length)
        {
            var read = await stream.ReadAsync(target[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new FrameTruncatedException($"Stream ended after {filled} of {target.Length} payload bytes of {header}.");
            }

            // Hash while the chunk is still in cache.
            _hash.Append(target.Span.Slice(filled, read));
            filled += read;
        }

        var actual = _hash.GetCurrentHashAsUInt64();
        if (actual != header.Checksum)
        {
            throw new FrameChecksumException(header.RequestId, header.Index, header.Checksum, actual);
        }
    }

    /// <summary>Reads past the pending payload without keeping it (a refused or failed transfer's frames).</summary>
    public async ValueTask SkipPayloadAsync(FrameHeader header, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.PayloadLength == 0)
        {
            return;
        }

        ExpectPending(header);
        _pending = null;
        var scratch = ArrayPool<byte>.Shared.Rent(SkipBufferBytes);
        try
        {
            var remaining = header.PayloadLength;
            while (remaining > 0)
            {
                var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(remaining, scratch.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new FrameTruncatedException($"Stream ended after {header.PayloadLength - remaining} of {header.PayloadLength} payload bytes of {header}.");
                }

                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Reads one whole frame; <paramref name="destination"/> picks where its payload lands. Null at a clean end of stream.</summary>
    public async ValueTask<FrameHeader?> ReadFrameAsync(Func<FrameHeader, Memory<byte>> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var header = await ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        if (header is null)
        {
            return null;
        }

        var target = header.PayloadLength > 0 ? destination(header) : Memory<byte>.Empty;
        await ReadPayloadAsync(header, target, cancellationToken).ConfigureAwait(false);
        return header;
    }

    private void ExpectPending(FrameHeader header)
    {
        if (!ReferenceEquals(_pending, header))
        {
            throw new InvalidOperationException($"{header} is not the frame whose payload comes next.");
        }
    }

    private static void VerifyChecksum(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        var actual = XxHash64.HashToUInt64(payload);
        if (actual != header.Checksum)
        {
            throw new FrameChecksumException(header.RequestId, header.Index, header.Checksum, actual);
        }
    }
}
