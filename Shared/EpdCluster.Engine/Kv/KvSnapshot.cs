namespace EpdCluster.Engine.Kv;

/// <summary>
/// One sequence's KV cache outside the pool: <see cref="Slots"/> cache slots in block layout (fp32, padded to whole
/// blocks) covering <see cref="Tokens"/> positions. Without eviction every token has its slot; after eviction fewer
/// slots remain, and the next token still takes position <see cref="Tokens"/> (keys are stored after RoPE, so kept
/// slots carry their own positions).
/// </summary>
public sealed class KvSnapshot
{
    public KvSnapshot(KvLayout layout, int tokens, int slots, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, slots);
        if (data.Length != layout.FloatsFor(slots))
        {
            throw new ArgumentException($"{slots} KV slots of layout {layout} take {layout.FloatsFor(slots)} floats, not {data.Length}.", nameof(data));
        }

        Layout = layout;
        Tokens = tokens;
        Slots = slots;
        Data = data;
    }

    public KvLayout Layout { get; }

    /// <summary>Positions the cache covers: the next token's position.</summary>
    public int Tokens { get; }

    /// <summary>Cache slots that hold K/V (≤ <see cref="Tokens"/>).</summary>
    public int Slots { get; }

    /// <summary>[blocks, layers, K|V, blockSize, kvHeads, headDim] fp32; slots past <see cref="Slots"/> are padding.</summary>
    public float[] Data { get; }

    /// <summary>How far positions run ahead of slots (tokens evicted).</summary>
    public int PositionOffset => Tokens - Slots;

    public int Blocks => Layout.BlocksFor(Slots);

    /// <summary>Attention each token received from probe queries, when the export asked for it.</summary>
    public KvSaliency? Saliency { get; init; }

    /// <summary>Which tokens are image tokens (one flag per token), when known.</summary>
    public bool[]? ImageTokens { get; init; }

    /// <summary>K (<paramref name="kind"/> 0) or V (1) of one slot in one layer: kvHeads × headDim floats.</summary>
    public Span<float> Vector(int slot, int layer, int kind) => Data.AsSpan(Layout.Offset(slot, layer, kind), Layout.Channels);
}
