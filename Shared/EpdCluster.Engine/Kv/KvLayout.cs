using EpdCluster.Engine.Model;

namespace EpdCluster.Engine.Kv;

/// <summary>
/// The shape of exported KV blocks: [blocks, layers, K|V, blockSize, kvHeads, headDim] fp32, as
/// <see cref="PagedKvCache"/> stores them. A slot's K (or V) of one layer is <see cref="Channels"/> contiguous floats.
/// </summary>
public readonly record struct KvLayout(int Layers, int KvHeads, int HeadDim, int BlockSize)
{
    /// <summary>Floats of one slot's K (or V) in one layer: kvHeads × headDim.</summary>
    public int Channels => KvHeads * HeadDim;

    public int FloatsPerBlock => BlockSize * Layers * 2 * Channels;

    public int BytesPerBlock => FloatsPerBlock * sizeof(float);

    public static KvLayout For(TextConfig config, int blockSize) =>
        new(config.NumHiddenLayers, config.NumKeyValueHeads, config.HeadDim, blockSize);

    /// <summary>Blocks that hold <paramref name="slots"/> slots.</summary>
    public int BlocksFor(int slots) => (slots + BlockSize - 1) / BlockSize;

    /// <summary>Floats of the blocks that hold <paramref name="slots"/> slots.</summary>
    public int FloatsFor(int slots) => BlocksFor(slots) * FloatsPerBlock;

    /// <summary>Index of the first of the <see cref="Channels"/> floats of <paramref name="slot"/>'s K (<paramref name="kind"/> 0) or V (1) in <paramref name="layer"/>.</summary>
    public int Offset(int slot, int layer, int kind)
    {
        var (block, inBlock) = Math.DivRem(slot, BlockSize);
        return ((((((block * Layers) + layer) * 2) + kind) * BlockSize) + inBlock) * Channels;
    }

    /// <summary>Throws unless <paramref name="other"/> has the same shape: KV of another model cannot go into this cache.</summary>
    public void EnsureSame(KvLayout other)
    {
        if (other != this)
        {
            throw new ArgumentException($"KV blocks of layout {other} do not fit a cache of layout {this}.");
        }
    }
}
