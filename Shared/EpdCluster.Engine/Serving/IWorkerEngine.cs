using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// Everything one worker runs: a tile encoder and a language-model engine on one inference thread, for a model of
/// <see cref="Config"/>'s shape. Every role uses it, so a worker changes role in place. <see cref="AggregatedEngine"/>
/// runs the model; <see cref="Simulated.SimulatedEngine"/> replays a timing profile without tensors.
/// </summary>
public interface IWorkerEngine : IDisposable
{
    /// <summary>The model's shape (tokens per tile, widths, context): what prompts and embeddings must fit.</summary>
    EpdModelConfig Config { get; }

    ITileEncoder Encoder { get; }

    ILlmEngine Llm { get; }

    /// <summary>
    /// Encode, prefill and decode one request in this process. The stream ends with the token carrying the finish
    /// reason; cancelling aborts the request and frees its blocks.
    /// </summary>
    IAsyncEnumerable<GeneratedToken> GenerateAsync(PromptTokens prompt, IReadOnlyList<PreprocessedImage> images, SamplingParams sampling, CancellationToken cancellationToken = default);
}
