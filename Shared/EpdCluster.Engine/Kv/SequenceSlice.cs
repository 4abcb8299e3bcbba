namespace EpdCluster.Engine.Kv;

/// <summary>One sequence's part of a forward step: <see cref="Count"/> new tokens from cache slot <see cref="Start"/>, cached in <see cref="Blocks"/>.</summary>
/// <param name="Blocks">The sequence's block table; must already cover slots up to Start + Count.</param>
/// <param name="PositionOffset">How far positions run ahead of slots: tokens evicted from the cache before these (0 without eviction).</param>
public readonly record struct SequenceSlice(int Start, int Count, IReadOnlyList<int> Blocks, int PositionOffset = 0);
