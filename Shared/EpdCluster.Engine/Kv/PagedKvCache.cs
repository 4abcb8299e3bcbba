using System.Runtime.InteropServices;
using EpdCluster.Engine.Model;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Kv;

/// <summary>
/// The KV block pool of one worker: storage [blocks, layers, K|V, blockSize, kvHeads, headDim] in fp32.
/// A block is contiguous in memory (every layer's K and V for blockSize tokens), so exporting a sequence for
/// transfer is one gather and one copy. Used only on the inference thread.
/// </summary>
public sealed class PagedKvCache : IDisposable
{
    private readonly Tensor _storage;
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    public PagedKvCache(TextConfig config, int totalBlocks, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalBlocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        Layers = config.NumHiddenLayers;
        BlockSize = blockSize;
        TotalBlocks = totalBlocks;
        _storage = zeros([totalBlocks, Layers, 2, blockSize, config.NumKeyValueHeads, config.HeadDim], float32).DetachFromDisposeScope();
        _keys = new Tensor[Layers];
        _values = new Tensor[Layers];
        for (var layer = 0; layer < Layers; layer++)
        {
            var perLayer = _storage.select(1, layer);
            _keys[layer] = perLayer.select(1, 0).DetachFromDisposeScope();
            _values[layer] = perLayer.select(1, 1).DetachFromDisposeScope();
            perLayer.Dispose();
        }

        BytesPerBlock = checked((int)(_storage.NumberOfElements / totalBlocks * sizeof(float)));
        Layout = KvLayout.For(config, blockSize);
    }

    /// <summary>The shape of this cache's blocks.</summary>
    public KvLayout Layout { get; }

    public int Layers { get; }

    public int BlockSize { get; }

    public int TotalBlocks { get; }

    /// <summary>Bytes of one block: blockSize × layers × 2 × kvHeads × headDim × 4.</summary>
    public int BytesPerBlock { get; }

    /// <summary>Bytes per block for <paramref name="config"/> (capacity planning before allocating).</summary>
    public static long BlockBytes(TextConfig config, int blockSize) =>
        (long)blockSize * config.NumHiddenLayers * 2 * config.NumKeyValueHeads * config.HeadDim * sizeof(float);

    /// <summary>Writes new tokens' K and V ([N, kvHeads, headDim]) at (block, offset) slots ([N] int64 each).</summary>
    internal void Write(int layer, Tensor k, Tensor v, Tensor blocks, Tensor offsets)
    {
        _keys[layer].index_put_(k, blocks, offsets);
        _values[layer].index_put_(v, blocks, offsets);
    }

    /// <summary>K and V of every slot in the block tables ([B, maxBlocks] int64) → [B, maxBlocks·blockSize, kvHeads, headDim].</summary>
    internal (Tensor Keys, Tensor Values) Gather(int layer, Tensor blockTable)
    {
        var (batch, width) = (blockTable.shape[0], blockTable.shape[1]);
        var flat = blockTable.flatten();
        var keys = _keys[layer].index_select(0, flat);
        var values = _values[layer].index_select(0, flat);
        return (keys.view(batch, width * BlockSize, keys.shape[2], keys.shape[3]),
            values.view(batch, width * BlockSize, values.shape[2], values.shape[3]));
    }

    /// <summary>Copies the given blocks, in order, into <paramref name="destination"/> (BytesPerBlock each).</summary>
    public void ExportBlocks(IReadOnlyList<int> blocks, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, blocks.Count * BytesPerBlock, nameof(destination));
        using var scope = NewDisposeScope();
        var gathered = _storage.index_select(0, BlockIndex(blocks)).contiguous();
        gathered.bytes.CopyTo(destination);
    }

    /// <summary>Overwrites the given blocks, in order, with <paramref name="source"/> (BytesPerBlock each).</summary>
    public void ImportBlocks(IReadOnlyList<int> blocks, ReadOnlySpan<byte> source)
    {
        if (source.Length != blocks.Count * BytesPerBlock)
        {
            throw new ArgumentException($"Expected {blocks.Count * BytesPerBlock} bytes for {blocks.Count} KV blocks, got {source.Length}.", nameof(source));
        }

        using var scope = NewDisposeScope();
        var shape = _storage.shape.ToArray();
        shape[0] = blocks.Count;
        var incoming = tensor(MemoryMarshal.Cast<byte, float>(source).ToArray(), shape);
        _storage.index_copy_(0, BlockIndex(blocks), incoming);
    }

    private static Tensor BlockIndex(IReadOnlyList<int> blocks) => tensor(blocks.Select(b => (long)b).ToArray(), int64);

    public void Dispose()
    {
        foreach (var view in _keys.Concat(_values))
        {
            view.Dispose();
        }

        _storage.Dispose();
    }
}
