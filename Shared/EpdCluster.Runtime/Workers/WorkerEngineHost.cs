using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Simulated;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Engine.Text;

namespace EpdCluster.Runtime.Workers;

/// <summary>
/// This worker's engine (encoder + language model on one inference thread): the TorchSharp model, or with
/// <c>Epd:Engine:Mode=simulated</c> a <see cref="SimulatedEngine"/> replaying a timing profile. Every role uses the
/// same engine, so a worker can change role in place without reloading anything.
/// </summary>
public sealed class WorkerEngineHost : IDisposable
{
    private readonly Lazy<IWorkerEngine> _loaded;

    /// <param name="metrics">Where the engine reports its load and steps once loaded; null reports nothing.</param>
    /// <param name="simulation">The profile to replay when <paramref name="engine"/> is in simulated mode.</param>
    public WorkerEngineHost(ModelOptions model, EngineOptions engine, EngineMetrics? metrics = null, SimulationOptions? simulation = null)
    {
        ModelOptions = model;
        Mode = engine.Mode;
        if (Mode == EngineMode.Simulated && simulation is null)
        {
            throw new InvalidOperationException($"{EngineOptions.SectionName}:Mode is simulated but no {SimulationOptions.SectionName} settings were given.");
        }

        _loaded = new(() => Mode == EngineMode.Simulated
            ? SimulatedEngine.ForModel(model, engine, simulation!, metrics)
            : LoadModel(model, engine, metrics));
    }

    public ModelOptions ModelOptions { get; }

    public EngineMode Mode { get; }

    /// <summary>The model id clients name, and the namespace of this model's cache keys.</summary>
    public string ModelId => ModelOptions.Name;

    public bool IsLoaded => _loaded.IsValueCreated;

    /// <summary>The engine, loading the model (or the profile) on first use.</summary>
    public IWorkerEngine Engine => _loaded.Value;

    private static AggregatedEngine LoadModel(ModelOptions model, EngineOptions engine, EngineMetrics? metrics)
    {
        var loaded = model.Load();
        try
        {
            return new AggregatedEngine(loaded, engine, VocabularyRules.ForTokenizer(EpdTokenizer.Shared), metrics);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_loaded.IsValueCreated)
        {
            _loaded.Value.Dispose();
            (_loaded.Value as AggregatedEngine)?.Model.Dispose();
        }
    }
}
