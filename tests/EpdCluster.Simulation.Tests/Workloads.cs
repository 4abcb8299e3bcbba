using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Simulation.Tests;

internal static class Workloads
{
    /// <summary>100 text tokens, one image of 5 tiles (80 tokens), 11 output tokens.</summary>
    public static WorkloadSpec OneImage(int outputTokens = 11) => new()
    {
        PromptTokens = IntDistribution.Fixed(100),
        OutputTokens = IntDistribution.Fixed(outputTokens),
        ImagesPerRequest = IntDistribution.Fixed(1),
        TilesPerImage = IntDistribution.Fixed(5),
    };
}
