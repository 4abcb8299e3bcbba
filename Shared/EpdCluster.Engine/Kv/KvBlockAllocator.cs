namespace EpdCluster.Engine.Kv;

/// <summary>
/// Hands out KV block ids from a fixed pool with reference counts. Not thread-safe: owned by the inference thread.
/// </summary>
public sealed class KvBlockAllocator
{
    private readonly Stack<int> _free;
    private readonly int[] _references;

    /// <param name="totalBlocks">Blocks in the pool.</param>
    /// <param name="watermarkBlocks">Blocks kept free when admitting new work, so running sequences can still grow.</param>
    public KvBlockAllocator(int totalBlocks, int watermarkBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalBlocks, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(watermarkBlocks);
        TotalBlocks = totalBlocks;
        WatermarkBlocks = Math.Min(watermarkBlocks, totalBlocks - 1);
        _references = new int[totalBlocks];

        // Highest id at the bottom so blocks are handed out in ascending order (easier to read in dumps).
        _free = new Stack<int>(Enumerable.Range(0, totalBlocks).Reverse());
    }

    public int TotalBlocks { get; }

    public int WatermarkBlocks { get; }

    public int FreeBlocks => _free.Count;

    public int UsedBlocks => TotalBlocks - FreeBlocks;

    /// <summary>True when <paramref name="count"/> blocks can be taken, keeping the watermark free if asked to.</summary>
    public bool CanAllocate(int count, bool keepWatermark) => count <= FreeBlocks - (keepWatermark ? WatermarkBlocks : 0);

    /// <summary>Takes <paramref name="count"/> blocks, each with one reference.</summary>
    public int[] Allocate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > FreeBlocks)
        {
            throw new InvalidOperationException($"Cannot allocate {count} KV blocks: only {FreeBlocks} of {TotalBlocks} are free.");
        }

        var blocks = new int[count];
        for (var i = 0; i < count; i++)
        {
            blocks[i] = _free.Pop();
            _references[blocks[i]] = 1;
        }

        return blocks;
    }

    /// <summary>Adds a reference to an allocated block (a second sequence sharing it).</summary>
    public void AddReference(int block)
    {
        EnsureAllocated(block);
        _references[block]++;
    }

    /// <summary>Drops one reference from each block; a block with none left returns to the pool.</summary>
    public void Free(IEnumerable<int> blocks)
    {
        foreach (var block in blocks)
        {
            EnsureAllocated(block);
            if (--_references[block] == 0)
            {
                _free.Push(block);
            }
        }
    }

    public int ReferenceCount(int block) => _references[block];

    private void EnsureAllocated(int block)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(block, TotalBlocks);
        if (_references[block] == 0)
        {
            throw new InvalidOperationException($"KV block {block} is not allocated (double free?).");
        }
    }
}
