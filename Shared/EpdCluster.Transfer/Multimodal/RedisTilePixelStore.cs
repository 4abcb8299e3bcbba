using EpdCluster.Transfer.Frames;
using StackExchange.Redis;

namespace EpdCluster.Transfer.Multimodal;

/// <summary>
/// <see cref="ITilePixelStore"/> in Redis: a hash <c>epd:px:{imageHash}</c> with a field per tile (<c>t0</c>…), each a
/// frame of kind TilePixels in <see cref="TransferOptions.PixelDType"/> (fp16 by default: half the traffic).
/// </summary>
public sealed class RedisTilePixelStore : ITilePixelStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly TransferOptions _options;

    public RedisTilePixelStore(IConnectionMultiplexer redis, TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _redis = redis;
        _options = options;
    }

    public async Task PutAsync(string imageHash, ReadOnlyMemory<float> pixels, int tileCount, CancellationToken cancellationToken = default)
    {
        var tileFloats = TilePixelArguments.CheckPut(imageHash, pixels.Length, tileCount);
        var entries = new HashEntry[tileCount];
        for (var i = 0; i < tileCount; i++)
        {
            var header = new FrameHeader { Kind = FrameKind.TilePixels, Index = i, Count = tileCount, Shape = [tileFloats], ImageHash = imageHash };
            entries[i] = new HashEntry(RedisKeys.TileField(i), TensorFrameCodec.EncodeFrame(header, pixels.Span.Slice(i * tileFloats, tileFloats), _options.PixelDType));
        }

        // Replace, never merge: stale tiles of an earlier staging must not survive. One MULTI keeps it atomic with the TTL.
        var key = RedisKeys.TilePixels(imageHash);
        var transaction = _redis.GetDatabase().CreateTransaction();
        _ = transaction.KeyDeleteAsync(key);
        _ = transaction.HashSetAsync(key, entries);
        _ = transaction.KeyExpireAsync(key, _options.PixelTtl);
        await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<float[][]> GetTilesAsync(string imageHash, IReadOnlyList<int> tileIndices, CancellationToken cancellationToken = default)
    {
        TilePixelArguments.CheckGet(imageHash, tileIndices);
        var key = RedisKeys.TilePixels(imageHash);
        var database = _redis.GetDatabase();
        var values = await database.HashGetAsync(key, tileIndices.Select(RedisKeys.TileField).ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false);

        var missing = tileIndices.Where((_, i) => values[i].IsNull).ToList();
        if (missing.Count > 0)
        {
            throw new TilePixelsMissingException(imageHash, missing);
        }

        var tiles = new float[tileIndices.Count][];
        for (var i = 0; i < tiles.Length; i++)
        {
            ParsedFrame frame;
            try
            {
                frame = FrameBuffer.Decode((ReadOnlyMemory<byte>)values[i], _options.FrameLimits);
            }
            catch (FrameException e)
            {
                // Damaged pixels are as good as none; drop them so a re-stage starts clean.
                await database.HashDeleteAsync(key, RedisKeys.TileField(tileIndices[i])).ConfigureAwait(false);
                throw new TilePixelsMissingException(imageHash, [tileIndices[i]], e.Message);
            }

            if (frame.Header.Kind != FrameKind.TilePixels || frame.Header.Index != tileIndices[i] || frame.Header.ImageHash != imageHash)
            {
                throw new TilePixelsMissingException(imageHash, [tileIndices[i]], $"the field holds {frame.Header} of image {frame.Header.ImageHash}");
            }

            tiles[i] = new float[TensorFrameCodec.ElementCount(frame.Header.DType, frame.Payload.Length)];
            TensorFrameCodec.ReadPayload(frame.Payload.Span, frame.Header.DType, tiles[i]);
        }

        return tiles;
    }
}
