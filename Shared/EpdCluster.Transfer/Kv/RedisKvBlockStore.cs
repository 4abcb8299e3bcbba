using EpdCluster.Transfer.Frames;
using StackExchange.Redis;

namespace EpdCluster.Transfer.Kv;

/// <summary>
/// KV blocks through Redis, for when the direct channel is not configured or not reachable: the prefill side writes
/// a transfer's frames (the same frames as the direct channel) under <c>epd:kv:{requestId}:{index}</c> with a short
/// TTL; the decode side pulls them in order, verifying each checksum, and deletes them.
/// </summary>
public sealed class RedisKvBlockStore
{
    /// <summary>Frames requested ahead of the one being copied: keeps the connection busy without buffering a whole transfer.</summary>
    private const int ReadAheadFrames = 4;

    private readonly IConnectionMultiplexer _redis;
    private readonly TransferOptions _options;

    public RedisKvBlockStore(IConnectionMultiplexer redis, TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _redis = redis;
        _options = options;
    }

    /// <summary>Writes every frame of <paramref name="transfer"/> with the KV TTL; returns when Redis holds them all.</summary>
    public async Task WriteAsync(KvTransfer transfer, ReadOnlyMemory<byte> blocks, CancellationToken cancellationToken = default)
    {
        var database = _redis.GetDatabase();
        var writes = new List<Task>();
        foreach (var (header, payload) in KvFraming.Split(transfer, blocks, _options.FrameBlocks))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var frame = FrameBuffer.Encode(header, payload.Span);
            writes.Add(database.StringSetAsync(RedisKeys.KvFrame(transfer.RequestId, header.Index), frame, new Expiration(_options.KvTtl)));
        }

        await Task.WhenAll(writes).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pulls the transfer of <paramref name="requestId"/>, copying each frame's payload to the memory
    /// <paramref name="destination"/> picks for its header, then deletes the keys. Returns false when nothing is
    /// stored for it (never written, expired, or already taken). Throws <see cref="FrameChecksumException"/> for a
    /// damaged frame and <see cref="KvTransferException"/> when only some frames are there; the keys are deleted
    /// either way, since a partial or damaged transfer is of no use to anyone.
    /// </summary>
    public async Task<bool> TryReadAsync(long requestId, Func<FrameHeader, Memory<byte>> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var database = _redis.GetDatabase();
        var first = await database.StringGetAsync(RedisKeys.KvFrame(requestId, 0)).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (first.IsNull)
        {
            return false;
        }

        var count = 1;
        try
        {
            var header = Land(requestId, 0, first, destination, expectedCount: null);
            count = header.Count;
            var pending = new Queue<Task<RedisValue>>();
            var next = 1;
            for (var index = 1; index < count; index++)
            {
                while (next < count && pending.Count < ReadAheadFrames)
                {
                    pending.Enqueue(database.StringGetAsync(RedisKeys.KvFrame(requestId, next++)));
                }

                var value = await pending.Dequeue().WaitAsync(cancellationToken).ConfigureAwait(false);
                if (value.IsNull)
                {
                    throw new KvTransferException(requestId, $"KV transfer {requestId} in Redis is incomplete: frame {index} of {count} is missing (expired after {_options.KvTtl}?).");
                }

                Land(requestId, index, value, destination, count);
            }

            return true;
        }
        finally
        {
            var keys = Enumerable.Range(0, count).Select(i => RedisKeys.KvFrame(requestId, i)).ToArray();
            await database.KeyDeleteAsync(keys).ConfigureAwait(false);
        }
    }

    private FrameHeader Land(long requestId, int index, RedisValue value, Func<FrameHeader, Memory<byte>> destination, int? expectedCount)
    {
        var (header, payload) = FrameBuffer.Decode((ReadOnlyMemory<byte>)value, _options.FrameLimits);
        if (header.Kind != FrameKind.KvBlocks || header.RequestId != requestId || header.Index != index || (expectedCount is { } count && header.Count != count))
        {
            throw new KvTransferException(requestId, $"Redis key {RedisKeys.KvFrame(requestId, index)} holds {header}, not frame {index} of KV transfer {requestId}.");
        }

        var target = destination(header);
        if (target.Length < payload.Length)
        {
            throw new ArgumentException($"Destination of {target.Length} bytes cannot hold the {payload.Length}-byte payload of {header}.", nameof(destination));
        }

        payload.Span.CopyTo(target.Span);
        return header;
    }
}
