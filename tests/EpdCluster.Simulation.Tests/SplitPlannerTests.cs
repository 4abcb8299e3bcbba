using EpdCluster.Simulation.Planning;
using EpdCluster.Simulation.Simulation;
using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Simulation.Tests;

public sealed class SplitPlannerTests
{
    private static readonly PlanOptions Options = new() { Requests = 300, IncludeAggregated = false };

    [Fact]
    public void The_planner_finds_the_known_optimum_of_a_linear_profile()
    {
        // Per worker 1 req/s encoding, 2 prefilling, 2 decoding: of the splits of 8, only E4 P2 D2 reaches 4 req/s;
        // every other split is bounded by 3 req/s or less.
        var slo = new Slo(TtftSeconds: 5, TpotSeconds: 1);

        var ranked = SplitPlanner.Rank(Profiles.Linear(), Workloads.OneImage(), slo, workers: 8, Options);

        Assert.Equal(21, ranked.Count);
        Assert.Equal(ClusterLayout.Split(4, 2, 2), ranked[0].Layout);
        Assert.InRange(ranked[0].GoodputRps, 3.0, 4.0);
        Assert.All(ranked.Skip(1), row => Assert.True(row.GoodputRps <= CapacityBound(row.Layout) && row.GoodputRps < ranked[0].GoodputRps, $"{row.Layout}: {row.GoodputRps:0.00} req/s"));
        Assert.True(ranked[0].Attainment >= 0.9);
    }

    [Fact]
    public void An_encode_heavy_profile_gets_more_encoders_and_long_answers_more_decoders()
    {
        var slo = new Slo(TtftSeconds: 8, TpotSeconds: 1);
        var baseline = SplitPlanner.Rank(Profiles.Linear(), Workloads.OneImage(), slo, workers: 6, Options)[0].Layout;
        var encodeHeavy = SplitPlanner.Rank(Profiles.Linear(encodeSecondsPerTile: 0.6), Workloads.OneImage(), slo, workers: 6, Options)[0].Layout;
        var longAnswers = SplitPlanner.Rank(Profiles.Linear(), Workloads.OneImage(outputTokens: 61), slo, workers: 6, Options)[0].Layout;

        Assert.True(encodeHeavy.Encoders > baseline.Encoders, $"{encodeHeavy} vs {baseline}");
        Assert.True(longAnswers.Decoders > baseline.Decoders, $"{longAnswers} vs {baseline}");
    }

    [Fact]
    public void Goodput_search_returns_the_highest_passing_rate_or_zero()
    {
        Assert.Equal(3.7, GoodputSearch.Find(rate => rate <= 3.7 ? 1 : 0.5, 0.9, 0.05, 1000), 2);
        Assert.Equal(0, GoodputSearch.Find(_ => 0.2, 0.9, 0.05, 1000));
        Assert.Equal(6.4, GoodputSearch.Find(_ => 1, 0.9, 0.05, 10), 9);
    }

    /// <summary>The slowest stage's capacity in req/s (1 per encoder, 2 per prefill or decode worker).</summary>
    private static double CapacityBound(ClusterLayout layout) => Math.Min(layout.Encoders * 1.0, Math.Min(layout.Prefills * 2.0, layout.Decoders * 2.0));
}
