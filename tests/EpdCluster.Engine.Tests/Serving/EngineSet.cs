using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Tests.Model;

namespace EpdCluster.Engine.Tests.Serving;

/// <summary>Aggregated engines over the same small-vocabulary dummy weights (so they agree), disposed together.</summary>
internal sealed class EngineSet : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public AggregatedEngine Create(EngineOptions? options = null)
    {
        var model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 21);
        var engine = new AggregatedEngine(model, options ?? new EngineOptions { KvCacheBytes = 8L * 1024 * 1024 }, EngineFixture.Rules);
        _owned.Add(engine);
        _owned.Add(model);
        return engine;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the time is up (the caller asserts afterwards).</summary>
    public static async Task WaitUntil(Func<bool> condition, double seconds = 2)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}
