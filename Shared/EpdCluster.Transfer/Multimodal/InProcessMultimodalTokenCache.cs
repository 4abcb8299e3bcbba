using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Multimodal;

/// <summary>
/// A per-process <see cref="IMultimodalTokenCache"/> bounded by bytes: when a write takes the total past
/// <see cref="TransferOptions.InProcessCacheBytes"/>, least recently used images are dropped whole. Tiles are kept
/// in <see cref="TransferOptions.CacheDType"/>, as in Redis, so both return the same values. An image not touched
/// for <see cref="TransferOptions.MultimodalTtl"/> expires.
/// </summary>
public sealed class InProcessMultimodalTokenCache : IMultimodalTokenCache
{
    /// <summary>Bookkeeping charged per tile on top of its payload (dictionary slot, array header, shape).</summary>
    internal const int TileOverheadBytes = 64;

    /// <summary>Bookkeeping charged per image (list node, dictionaries, key string).</summary>
    internal const int ImageOverheadBytes = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<ImageEntry>> _images = new(StringComparer.Ordinal);
    private readonly LinkedList<ImageEntry> _recency = new(); // most recently used first
    private readonly TransferOptions _options;
    private readonly TimeProvider _time;
    private long _bytes;

    public InProcessMultimodalTokenCache(TransferOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    public MultimodalCacheCounters Counters { get; } = new();

    /// <summary>Bytes currently charged against the budget.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public Task PutTileAsync(string modelId, string imageHash, int tileIndex, int tokens, int width, ReadOnlyMemory<float> embeddings, CancellationToken cancellationToken = default)
    {
        MultimodalTileArguments.CheckImage(modelId, imageHash);
        MultimodalTileArguments.CheckTile(tileIndex, tokens, width, embeddings.Length);
        var payload = new byte[TensorFrameCodec.PayloadBytes(_options.CacheDType, embeddings.Length)];
        TensorFrameCodec.WritePayload(embeddings.Span, _options.CacheDType, payload);
        var tile = new StoredTile(payload, _options.CacheDType);

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var entry = Touch(Key(modelId, imageHash), now) ?? Add(Key(modelId, imageHash), now);
            if (entry.Tiles.Remove(tileIndex, out var replaced))
            {
                entry.Bytes -= Charge(replaced);
                _bytes -= Charge(replaced);
            }

            entry.Tiles[tileIndex] = tile;
            entry.Bytes += Charge(tile);
            _bytes += Charge(tile);
            EvictOverBudget();
        }

        return Task.CompletedTask;
    }

    public Task<bool[]> GetPresentTilesAsync(string modelId, string imageHash, int tileCount, CancellationToken cancellationToken = default)
    {
        MultimodalTileArguments.CheckImage(modelId, imageHash);
        MultimodalTileArguments.CheckTileCount(tileCount);
        var present = new bool[tileCount];
        lock (_gate)
        {
            if (Touch(Key(modelId, imageHash), _time.GetTimestamp()) is { } entry)
            {
                foreach (var index in entry.Tiles.Keys.Where(i => i < tileCount))
                {
                    present[index] = true;
                }
            }
        }

        return Task.FromResult(present);
    }

    public Task<float[]?> GetImageAsync(string modelId, string imageHash, int tileCount, CancellationToken cancellationToken = default)
    {
        MultimodalTileArguments.CheckImage(modelId, imageHash);
        MultimodalTileArguments.CheckTileCount(tileCount);
        var tiles = new StoredTile[tileCount];
        lock (_gate)
        {
            var entry = Touch(Key(modelId, imageHash), _time.GetTimestamp());
            for (var i = 0; i < tileCount; i++)
            {
                if (entry is null || !entry.Tiles.TryGetValue(i, out var tile))
                {
                    Counters.Miss();
                    return Task.FromResult<float[]?>(null);
                }

                tiles[i] = tile;
            }
        }

        // Stored tiles are immutable (a rewrite replaces the array), so converting outside the lock is safe.
        var result = new float[tiles.Sum(t => t.Elements)];
        var offset = 0;
        foreach (var tile in tiles)
        {
            TensorFrameCodec.ReadPayload(tile.Payload, tile.DType.WireName(), result.AsSpan(offset, tile.Elements));
            offset += tile.Elements;
        }

        Counters.Hit();
        return Task.FromResult<float[]?>(result);
    }

    private static string Key(string modelId, string imageHash) => $"{modelId}:{imageHash}";

    private static long Charge(StoredTile tile) => tile.Payload.Length + TileOverheadBytes;

    /// <summary>The live entry for <paramref name="key"/>, moved to the front; an expired one is dropped and null returned.</summary>
    private ImageEntry? Touch(string key, long now)
    {
        if (!_images.TryGetValue(key, out var node))
        {
            return null;
        }

        if (_time.GetElapsedTime(node.Value.LastTouched, now) > _options.MultimodalTtl)
        {
            Remove(node);
            return null;
        }

        node.Value.LastTouched = now;
        _recency.Remove(node);
        _recency.AddFirst(node);
        return node.Value;
    }

    private ImageEntry Add(string key, long now)
    {
        var entry = new ImageEntry(key) { LastTouched = now, Bytes = ImageOverheadBytes };
        _images[key] = _recency.AddFirst(entry);
        _bytes += entry.Bytes;
        return entry;
    }

    private void EvictOverBudget()
    {
        while (_bytes > _options.InProcessCacheBytes && _recency.Last is { } oldest)
        {
            Remove(oldest);
        }
    }

    private void Remove(LinkedListNode<ImageEntry> node)
    {
        _recency.Remove(node);
        _images.Remove(node.Value.Key);
        _bytes -= node.Value.Bytes;
    }

    private sealed class ImageEntry(string key)
    {
        public string Key { get; } = key;

        public Dictionary<int, StoredTile> Tiles { get; } = [];

        public long Bytes { get; set; }

        public long LastTouched { get; set; }
    }

    private readonly record struct StoredTile(byte[] Payload, TensorDType DType)
    {
        public int Elements => Payload.Length / (DType == TensorDType.F16 ? sizeof(ushort) : sizeof(float));
    }
}
