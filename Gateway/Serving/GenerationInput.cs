using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// One request as a backend sees it: the rendered prompt (image spans index <see cref="Images"/>), each image
/// preprocessed into tiles with its content hash (the cache key of its encoder output), and validated sampling.
/// </summary>
/// <param name="RequestId">The response id (<c>chatcmpl-…</c>), for logs and traces across processes.</param>
/// <param name="ImageHashes">One <see cref="ImageContentHash"/> per image, same order.</param>
internal sealed record GenerationInput(
    string RequestId,
    PromptTokens Prompt,
    IReadOnlyList<PreprocessedImage> Images,
    IReadOnlyList<string> ImageHashes,
    SamplingParams Sampling)
{
    /// <summary>The request's KV codec for the prefill → decode hand-off, or null for the cluster's.</summary>
    public string? KvCodec { get; init; }

    /// <summary>What the backend reports about the request as it runs (cache hits for usage).</summary>
    public GenerationReport Report { get; } = new();
}
