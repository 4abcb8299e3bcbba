using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Tests.Model;

namespace EpdCluster.Engine.Tests.Serving;

/// <summary>One aggregated engine over the small-vocabulary model, shared by a test class.</summary>
public sealed class EngineFixture : IDisposable
{
    /// <summary>Token 999 ends a sequence in these tests; ids ≥ 1000 (the image placeholder and padding) are never sampled.</summary>
    public const int StopToken = 999;

    public EngineFixture()
    {
        Model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 11);
        Options = new EngineOptions { KvCacheBytes = 512L * 32 * 1024, MaxBatchTokens = 256 };
        Engine = new AggregatedEngine(Model, Options, Rules);
    }

    public static VocabularyRules Rules { get; } = new(1000, [], [StopToken]);

    public MultimodalModel Model { get; }

    public EngineOptions Options { get; }

    public AggregatedEngine Engine { get; }

    public void Dispose()
    {
        Engine.Dispose();
        Model.Dispose();
    }
}
