namespace EpdCluster.Engine.Serving;

/// <summary>What the language model needs for one request: prompt ids (image spans hold placeholder ids), image embeddings, sampling.</summary>
public sealed record GenerationRequest(long RequestId, int[] PromptIds, IReadOnlyList<PromptImage> Images, SamplingParams Sampling);
