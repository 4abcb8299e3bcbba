using System.Runtime.CompilerServices;
using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// Encode → prefill → decode in one process, on one inference thread: the reference every disaggregated
/// result is compared against, and the engine of the all-in-one mode.
/// </summary>
public sealed class AggregatedEngine : IDisposable
{
    private readonly InferenceThread _thread;
    private long _nextRequestId;

    /// <param name="metrics">Where the engine reports its load, steps and leases; null reports nothing.</param>
    public AggregatedEngine(MultimodalModel model, EngineOptions options, VocabularyRules vocabulary, EngineMetrics? metrics = null)
    {
        Model = model;
        Encoder = new VisionEncoderStage(model, options, metrics);
        Llm = new LlmEngine(model, options, vocabulary, metrics);
        _thread = new InferenceThread("epd-inference", [Encoder, Llm], options.TorchThreads);
        Encoder.Attach(_thread);
        Llm.Attach(_thread);
        metrics?.Attach(this);
    }

    public MultimodalModel Model { get; }

    public VisionEncoderStage Encoder { get; }

    public LlmEngine Llm { get; }

    /// <summary>
    /// Generates for a rendered prompt whose image spans refer to <paramref name="images"/> by index. The stream
    /// ends with the token carrying the finish reason; cancelling aborts the request and frees its blocks.
    /// </summary>
    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(
        PromptTokens prompt,
        IReadOnlyList<PreprocessedImage> images,
        SamplingParams sampling,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var tokensPerTile = Model.Config.TokensPerTile;
        var promptImages = new List<PromptImage>(prompt.ImageSpans.Count);
        foreach (var span in prompt.ImageSpans)
        {
            if ((uint)span.ImageIndex >= (uint)images.Count)
            {
                throw new ArgumentException($"The prompt refers to image {span.ImageIndex}, but {images.Count} image(s) were given.");
            }

            var image = images[span.ImageIndex];
            if (span.TokenCount != image.TileCount * tokensPerTile)
            {
                throw new ArgumentException($"Image {span.ImageIndex} has {image.TileCount} tiles ({image.TileCount * tokensPerTile} tokens), but its prompt span holds {span.TokenCount}.");
            }

            var embeddings = await Encoder.EncodeTilesAsync(image.Pixels, image.TileCount, cancellationToken);
            promptImages.Add(new PromptImage(span.Start, span.TokenCount, embeddings));
        }

        var requestId = Interlocked.Increment(ref _nextRequestId);
        var stream = Llm.Submit(new GenerationRequest(requestId, prompt.Ids, promptImages, sampling));
        using var abort = cancellationToken.Register(() => Llm.Abort(requestId));
        await foreach (var token in stream.ReadAllAsync(CancellationToken.None))
        {
            yield return token;
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Tensors alive on the inference thread (the leak check's measure).</summary>
    internal Task<long> CountLiveTensorsAsync() => _thread.InvokeAsync(() => TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);

    public void Dispose()
    {
        _thread.Dispose();
        Llm.Dispose();
    }
}
