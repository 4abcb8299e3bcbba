namespace EpdCluster.Engine.Kv;

/// <summary>One sequence's part of a forward step: <see cref="Count"/> new tokens from position <see cref="Start"/>, cached in <see cref="Blocks"/>.</summary>
/// <param name="Blocks">The sequence's block table; must already cover positions up to Start + Count.</param>
public readonly record struct SequenceSlice(int Start, int Count, IReadOnlyList<int> Blocks);
