using EpdCluster.Engine.Kv;

namespace EpdCluster.Engine.Serving;

/// <summary>What the language model needs for one request: prompt ids (image spans hold placeholder ids), image embeddings, sampling.</summary>
public sealed record GenerationRequest(long RequestId, int[] PromptIds, IReadOnlyList<PromptImage> Images, SamplingParams Sampling)
{
    /// <summary>
    /// Prefill only (a prefill worker of a disaggregated cluster): the stream ends after the first token, and unless
    /// that token finished the request the sequence's KV blocks are parked for export to a decode worker.
    /// </summary>
    public bool PrefillOnly { get; init; }

    /// <summary>
    /// Capture these prompt positions' queries while prefilling, so the parked KV can be exported with attention
    /// saliency (codecs that rank tokens: ZipCache, LOOK-M). Null: no capture, no cost.
    /// </summary>
    public KvProbeSettings? KvProbes { get; init; }
}
