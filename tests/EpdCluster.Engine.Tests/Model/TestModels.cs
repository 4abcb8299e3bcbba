using EpdCluster.Engine.Model;
using EpdCluster.Engine.Weights;

namespace EpdCluster.Engine.Tests.Model;

internal static class TestModels
{
    /// <summary>epd-tiny's architecture with a small vocabulary, so equivalence tests run in milliseconds.</summary>
    public static EpdModelConfig SmallVocabulary { get; } = EpdModelConfig.Tiny with
    {
        Name = "epd-tiny-testvocab",
        Text = EpdModelConfig.Tiny.Text with { VocabSize = 1024, MaxPositionEmbeddings = 1024 },
        ImageTokenId = 1000,
    };

    public static MultimodalModel CreateDummy(EpdModelConfig config, long seed)
    {
        var model = new MultimodalModel(config);
        DummyWeights.Initialize(model, seed);
        model.eval();
        return model;
    }
}
