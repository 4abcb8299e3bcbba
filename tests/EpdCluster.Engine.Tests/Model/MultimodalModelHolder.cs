using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Tests.Serving;

namespace EpdCluster.Engine.Tests.Model;

/// <summary>A small-vocabulary dummy model and the engines a test builds on it, disposed together.</summary>
internal sealed class MultimodalModelHolder : IDisposable
{
    private readonly List<AggregatedEngine> _engines = [];

    public MultimodalModel Model { get; } = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 17);

    public AggregatedEngine Engine()
    {
        var engine = new AggregatedEngine(Model, new EngineOptions { KvCacheBytes = 8L * 1024 * 1024 }, EngineFixture.Rules);
        _engines.Add(engine);
        return engine;
    }

    public void Dispose()
    {
        foreach (var engine in _engines)
        {
            engine.Dispose();
        }

        Model.Dispose();
    }
}
