using EpdCluster.Transfer.Frames;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace EpdCluster.Transfer.Multimodal;

/// <summary>
/// The cluster-wide <see cref="IMultimodalTokenCache"/>: one Redis hash per image, <c>epd:mm:{modelId}:{imageHash}</c>,
/// with a field per tile (<c>t0</c>…) whose value is a frame (header with shape [tokens, width] and checksum, then the
/// rows in <see cref="TransferOptions.CacheDType"/>). Writes and hits refresh the hash's TTL. Run Redis with
/// <c>maxmemory-policy allkeys-lru</c> so that, when full, the coldest images go first.
/// </summary>
public sealed partial class RedisMultimodalTokenCache : IMultimodalTokenCache
{
    private readonly IConnectionMultiplexer _redis;
    private readonly TransferOptions _options;
    private readonly ILogger _logger;

    public RedisMultimodalTokenCache(IConnectionMultiplexer redis, TransferOptions options, ILogger<RedisMultimodalTokenCache>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _redis = redis;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public MultimodalCacheCounters Counters { get; } = new();

    public async Task PutTileAsync(string modelId, string imageHash, int tileIndex, int tokens, int width, ReadOnlyMemory<float> embeddings, CancellationToken cancellationToken = default)
    {
        MultimodalTileArguments.CheckImage(modelId, imageHash);
        MultimodalTileArguments.CheckTile(tileIndex, tokens, width, embeddings.Length);
        var header = new FrameHeader
        {
            Kind = FrameKind.ImageEmbeddings,
            Index = tileIndex,
            Count = tileIndex + 1, // a tile does not know its image's tile count; the reader asks for the count it needs
            Shape = [tokens, width],
            ModelId = modelId,
            ImageHash = imageHash,
        };
        var frame = TensorFrameCodec.EncodeFrame(header, embeddings.Span, _options.CacheDType);

        // One MULTI: a tile never lands without the TTL that bounds its life.
        var key = RedisKeys.MultimodalTokens(modelId, imageHash);
        var transaction = _redis.GetDatabase().CreateTransaction();
        _ = transaction.HashSetAsync(key, RedisKeys.TileField(tileIndex), frame);
        _ = transaction.KeyExpireAsync(key, _options.MultimodalTtl);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool[]> GetPresentTilesAsync(string modelId, string imageHash, int tileCount, CancellationToken cancellationToken = default)
    {
        MultimodalTileArguments.CheckImage(modelId, imageHash);
        MultimodalTileArguments.CheckTileCount(tileCount);
        var key = RedisKeys.MultimodalTokens(modelId, imageHash);
        var database = _redis.GetDatabase();
        var fields = await database.HashKeysAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
        var present = new bool[tileCount];
        foreach (var field in fields)
        {
            var index = RedisKeys.ParseTileField(field);
            if (index >= 0 && index < tileCount)
            {
                present[index] = true;
            }
        }

        if (fields.Length > 0)
        {
            Refresh(database, key);
        }

        return present;
    }

    public async Task<float[]?> GetImageAsync(string modelId, string imageHash, int tileCount, CancellationToken cancellationToken = default)
    {
        MultimodalTileArguments.CheckImage(modelId, imageHash);
        MultimodalTileArguments.CheckTileCount(tileCount);
        var key = RedisKeys.MultimodalTokens(modelId, imageHash);
        var database = _redis.GetDatabase();

        // One HGET per tile, pipelined, into pooled leases: a value is read once, converted, and its buffer reused,
        // instead of a fresh large-object-heap array per tile and read.
        var reads = new Task<Lease<byte>?>[tileCount];
        for (var i = 0; i < tileCount; i++)
        {
            reads[i] = database.HashGetLeaseAsync(key, RedisKeys.TileField(i));
        }

        try
        {
            await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
            var tiles = new ParsedFrame[tileCount];
            var complete = true;
            for (var i = 0; i < tileCount; i++)
            {
                if (reads[i].Result is not { } lease)
                {
                    complete = false;
                    continue;
                }

                if (TryParseTile(modelId, imageHash, i, lease.Memory, out tiles[i], out var problem))
                {
                    continue;
                }

                complete = false;
                Counters.Corrupt();
                LogCorruptTile(_logger, key.ToString(), i, problem);
                await DeleteIfUnchangedAsync(database, key, RedisKeys.TileField(i), lease.Memory.ToArray()).ConfigureAwait(false);
            }

            if (!complete)
            {
                Counters.Miss();
                return null;
            }

            Refresh(database, key);

            // Every element is overwritten below: skip zeroing a buffer that is often megabytes.
            var result = GC.AllocateUninitializedArray<float>(tiles.Sum(t => TensorFrameCodec.ElementCount(t.Header.DType, t.Payload.Length)));
            var offset = 0;
            foreach (var (header, payload) in tiles)
            {
                var elements = TensorFrameCodec.ElementCount(header.DType, payload.Length);
                TensorFrameCodec.ReadPayload(payload.Span, header.DType, result.AsSpan(offset, elements));
                offset += elements;
            }

            Counters.Hit();
            return result;
        }
        finally
        {
            foreach (var read in reads)
            {
                if (read.IsCompletedSuccessfully)
                {
                    read.Result?.Dispose();
                }
            }
        }
    }

    private bool TryParseTile(string modelId, string imageHash, int tileIndex, ReadOnlyMemory<byte> value, out ParsedFrame tile, out string problem)
    {
        try
        {
            tile = FrameBuffer.Decode(value, _options.FrameLimits);
        }
        catch (FrameException e)
        {
            tile = default;
            problem = e.Message;
            return false;
        }

        var header = tile.Header;
        var fits = header.Kind == FrameKind.ImageEmbeddings && header.Index == tileIndex && header.Shape.Length == 2
            && header.ModelId == modelId && header.ImageHash == imageHash
            && header.DType is TensorDTypes.Float16 or TensorDTypes.Float32;
        problem = fits ? "" : $"the value holds {header} for {header.ModelId}/{header.ImageHash}, not tile {tileIndex} of this image";
        return fits;
    }

    /// <summary>Deletes a damaged tile unless a concurrent writer has already replaced it with a good one.</summary>
    private static async Task DeleteIfUnchangedAsync(IDatabase database, RedisKey key, RedisValue field, RedisValue damaged)
    {
        var transaction = database.CreateTransaction();
        transaction.AddCondition(Condition.HashEqual(key, field, damaged));
        _ = transaction.HashDeleteAsync(key, field);
        await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    // Fire and forget: a lost refresh only shortens a cache entry's life.
    private void Refresh(IDatabase database, RedisKey key) =>
        database.KeyExpire(key, _options.MultimodalTtl, CommandFlags.FireAndForget);
}
