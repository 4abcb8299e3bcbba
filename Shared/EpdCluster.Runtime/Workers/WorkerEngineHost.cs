using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Engine.Text;

namespace EpdCluster.Runtime.Workers;

/// <summary>
/// This worker's model and engine (vision encoder + language model on one inference thread). Every role uses the
/// same engine, so a worker can change role in place without reloading weights.
/// </summary>
public sealed class WorkerEngineHost : IDisposable
{
    private readonly Lazy<(MultimodalModel Model, AggregatedEngine Engine)> _loaded;

    /// <param name="metrics">Where the engine reports its load and steps once loaded; null reports nothing.</param>
    public WorkerEngineHost(ModelOptions model, EngineOptions engine, EngineMetrics? metrics = null)
    {
        ModelOptions = model;
        _loaded = new(() =>
        {
            var loaded = model.Load();
            return (loaded, new AggregatedEngine(loaded, engine, VocabularyRules.ForTokenizer(EpdTokenizer.Shared), metrics));
        });
    }

    public ModelOptions ModelOptions { get; }

    /// <summary>The model id clients name, and the namespace of this model's cache keys.</summary>
    public string ModelId => ModelOptions.Name;

    public bool IsLoaded => _loaded.IsValueCreated;

    /// <summary>The engine, loading the model on first use.</summary>
    public AggregatedEngine Engine => _loaded.Value.Engine;

    public MultimodalModel Model => _loaded.Value.Model;

    public void Dispose()
    {
        if (_loaded.IsValueCreated)
        {
            _loaded.Value.Engine.Dispose();
            _loaded.Value.Model.Dispose();
        }
    }
}
