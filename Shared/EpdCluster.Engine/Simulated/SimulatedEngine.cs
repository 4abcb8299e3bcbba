using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Engine.Text;
using EpdCluster.Simulation.Profiles;

namespace EpdCluster.Engine.Simulated;

/// <summary>
/// A worker engine that replays a timing profile instead of running the model (<c>Epd:Engine:Mode=simulated</c>): a
/// <see cref="SimulatedTileEncoder"/> and a <see cref="SimulatedLlmEngine"/> on one <see cref="InferenceThread"/>, like
/// <see cref="AggregatedEngine"/>. No weights, no libtorch: many workers fit on one machine.
/// </summary>
public sealed class SimulatedEngine : IWorkerEngine
{
    private readonly InferenceThread _thread;
    private long _nextRequestId;

    /// <param name="config">The served model's shape: prompts, image spans and embeddings keep their real sizes.</param>
    /// <param name="vocabulary">The ids the engine emits (see <see cref="SimulatedTokens.WordTokens"/>).</param>
    public SimulatedEngine(EpdModelConfig config, EngineProfile profile, EngineOptions options, SimulationOptions simulation, IReadOnlyList<int> vocabulary, EngineMetrics? metrics = null)
    {
        profile.Validate();
        options.Validate();
        Config = config;
        Profile = profile;
        var pacer = new StepPacer(simulation.TimeScale);
        Encoder = new SimulatedTileEncoder(config, profile, pacer, metrics);
        Llm = new SimulatedLlmEngine(config, profile, options, pacer, vocabulary, metrics);
        _thread = new InferenceThread("epd-simulated", [Encoder, Llm]);
        Encoder.Attach(_thread);
        Llm.Attach(_thread);
        metrics?.Attach(this);
    }

    /// <summary>A simulated engine for the model <paramref name="model"/> names, emitting words of the shared tokenizer.</summary>
    public static SimulatedEngine ForModel(ModelOptions model, EngineOptions options, SimulationOptions simulation, EngineMetrics? metrics = null)
    {
        var config = model.ReadConfig();
        var tokenizer = EpdTokenizer.Shared;
        var words = SimulatedTokens.WordTokens(tokenizer, VocabularyRules.ForTokenizer(tokenizer), config.Text.VocabSize);
        return new SimulatedEngine(config, simulation.LoadProfile(), options, simulation, words, metrics);
    }

    public EpdModelConfig Config { get; }

    public EngineProfile Profile { get; }

    public SimulatedTileEncoder Encoder { get; }

    public SimulatedLlmEngine Llm { get; }

    ITileEncoder IWorkerEngine.Encoder => Encoder;

    ILlmEngine IWorkerEngine.Llm => Llm;

    public IAsyncEnumerable<GeneratedToken> GenerateAsync(PromptTokens prompt, IReadOnlyList<PreprocessedImage> images, SamplingParams sampling, CancellationToken cancellationToken = default) =>
        AggregatedGeneration.GenerateAsync(this, Interlocked.Increment(ref _nextRequestId), prompt, images, sampling, cancellationToken);

    public void Dispose() => _thread.Dispose();
}
