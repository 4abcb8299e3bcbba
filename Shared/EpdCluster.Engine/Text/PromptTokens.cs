namespace EpdCluster.Engine.Text;

/// <summary>A rendered prompt: token ids with every image expanded to its placeholder tokens, and where those are.</summary>
public sealed record PromptTokens(int[] Ids, IReadOnlyList<ImageSpan> ImageSpans);
