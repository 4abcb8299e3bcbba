namespace EpdCluster.Engine.Serving;

/// <summary>An image's embeddings and where they go in the prompt: rows replace tokens Start .. Start+TokenCount-1.</summary>
/// <param name="Embeddings">TokenCount × LLM width floats, row-major (what the encoder produced).</param>
public sealed record PromptImage(int Start, int TokenCount, float[] Embeddings);
