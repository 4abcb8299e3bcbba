using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// Encode → prefill → decode in one process, on one inference thread: the reference every disaggregated
/// result is compared against, and the engine of the all-in-one mode.
/// </summary>
public sealed class AggregatedEngine : IWorkerEngine
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

    EpdModelConfig IWorkerEngine.Config => Model.Config;

    ITileEncoder IWorkerEngine.Encoder => Encoder;

    ILlmEngine IWorkerEngine.Llm => Llm;

    /// <summary>
    /// Generates for a rendered prompt whose image spans refer to <paramref name="images"/> by index. The stream
    /// ends with the token carrying the finish reason; cancelling aborts the request and frees its blocks.
    /// </summary>
    public IAsyncEnumerable<GeneratedToken> GenerateAsync(
        PromptTokens prompt,
        IReadOnlyList<PreprocessedImage> images,
        SamplingParams sampling,
        CancellationToken cancellationToken = default) =>
        AggregatedGeneration.GenerateAsync(this, Interlocked.Increment(ref _nextRequestId), prompt, images, sampling, cancellationToken);

    /// <summary>Tensors alive on the inference thread (the leak check's measure).</summary>
    internal Task<long> CountLiveTensorsAsync() => _thread.InvokeAsync(() => TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);

    public void Dispose()
    {
        _thread.Dispose();
        Llm.Dispose();
    }
}
