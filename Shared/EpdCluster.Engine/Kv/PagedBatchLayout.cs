using static TorchSharp.torch;

namespace EpdCluster.Engine.Kv;

/// <summary>
/// Index tensors for one forward step over several sequences whose new tokens are packed into [N] rows:
/// where each new token's K/V goes in the cache, each sequence's block table, how packed rows map to the
/// padded [B, maxNew] query grid, and the attention mask. Built once per step, shared by every layer.
/// </summary>
internal sealed class PagedBatchLayout
{
    private PagedBatchLayout(Tensor positions, Tensor writeBlocks, Tensor writeOffsets, Tensor blockTable, Tensor queryGather, Tensor packedRows, Tensor mask, int packedTokens)
    {
        Positions = positions;
        WriteBlocks = writeBlocks;
        WriteOffsets = writeOffsets;
        BlockTable = blockTable;
        QueryGather = queryGather;
        PackedRows = packedRows;
        Mask = mask;
        PackedTokens = packedTokens;
    }

    /// <summary>[N] absolute position of each new token (its slot plus the sequence's position offset).</summary>
    public Tensor Positions { get; }

    /// <summary>[N] cache block of each new token.</summary>
    public Tensor WriteBlocks { get; }

    /// <summary>[N] offset inside that block.</summary>
    public Tensor WriteOffsets { get; }

    /// <summary>[B, maxBlocks] block table per sequence, padded with block 0 (masked out).</summary>
    public Tensor BlockTable { get; }

    /// <summary>[B·maxNew] packed row feeding each padded query slot; N (a zero row) for padding.</summary>
    public Tensor QueryGather { get; }

    /// <summary>[N] padded query slot of each packed row.</summary>
    public Tensor PackedRows { get; }

    /// <summary>[B, maxNew, maxBlocks·blockSize] bool: true where the query may attend to the key (slots up to its own).</summary>
    public Tensor Mask { get; }

    public int PackedTokens { get; }

    /// <summary>True when every sequence brings the same number of new tokens (pure decode): packed rows already form the [B, maxNew] grid.</summary>
    public bool IsDense => PackedTokens == Mask.shape[0] * Mask.shape[1];

    /// <summary>Creates the tensors in the current dispose scope.</summary>
    public static PagedBatchLayout Build(IReadOnlyList<SequenceSlice> slices, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfZero(slices.Count);
        var packed = slices.Sum(s => s.Count);
        var maxNew = slices.Max(s => s.Count);
        var maxBlocks = slices.Max(s => (s.Start + s.Count + blockSize - 1) / blockSize);
        var keys = maxBlocks * blockSize;

        var positions = new long[packed];
        var writeBlocks = new long[packed];
        var writeOffsets = new long[packed];
        var packedRows = new long[packed];
        var blockTable = new long[slices.Count * maxBlocks];
        var queryGather = new long[slices.Count * maxNew];
        var mask = new bool[slices.Count * maxNew * keys];
        Array.Fill(queryGather, packed);

        var row = 0;
        for (var b = 0; b < slices.Count; b++)
        {
            var slice = slices[b];
            var needed = (slice.Start + slice.Count + blockSize - 1) / blockSize;
            if (slice.Count < 1 || slice.Blocks.Count < needed)
            {
                throw new ArgumentException($"Sequence slice {b} needs {needed} blocks for slots up to {slice.Start + slice.Count}, has {slice.Blocks.Count}.");
            }

            for (var i = 0; i < needed; i++)
            {
                blockTable[(b * maxBlocks) + i] = slice.Blocks[i];
            }

            for (var q = 0; q < maxNew; q++)
            {
                var maskRow = ((b * maxNew) + q) * keys;
                if (q >= slice.Count)
                {
                    // Padding query: let it see key 0 only, so softmax stays finite; its output is dropped.
                    mask[maskRow] = true;
                    continue;
                }

                var slot = slice.Start + q;
                positions[row] = slot + slice.PositionOffset;
                writeBlocks[row] = slice.Blocks[slot / blockSize];
                writeOffsets[row] = slot % blockSize;
                packedRows[row] = (b * maxNew) + q;
                queryGather[(b * maxNew) + q] = row;
                Array.Fill(mask, true, maskRow, slot + 1);
                row++;
            }
        }

        return new PagedBatchLayout(
            tensor(positions, int64),
            tensor(writeBlocks, int64),
            tensor(writeOffsets, int64),
            tensor(blockTable, int64).view(slices.Count, maxBlocks),
            tensor(queryGather, int64),
            tensor(packedRows, int64),
            tensor(mask).view(slices.Count, maxNew, keys),
            packed);
    }
}
