namespace EpdCluster.Engine.Serving;

/// <summary>
/// A decoding sequence paused for a move to another worker: the tokens it generated so far and the KV blocks (in
/// sequence order, <see cref="LlmEngine.BytesPerBlock"/> each) of every token but the last generated one.
/// </summary>
public sealed record SuspendedSequence(long RequestId, int[] GeneratedTokens, byte[] Blocks);
