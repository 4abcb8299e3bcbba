namespace EpdCluster.Engine.Serving;

/// <summary>One generated token of a sequence. <see cref="Finish"/> is set on the last one.</summary>
/// <param name="Index">0 for the first generated token.</param>
/// <param name="TokenId">-1 for an abort that arrives with no token.</param>
public readonly record struct GeneratedToken(int TokenId, int Index, FinishReason? Finish);
