using EpdCluster.LoadTests.Arrivals;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Tests;

/// <summary>
/// The arrival process against theory. Tolerances are four standard errors of the estimate for n = 10 000 draws:
/// the mean interval has relative error CV/√n; the CV has relative error ½·√((κ − 1)/n) with kurtosis κ = 3 + 6/shape.
/// </summary>
public sealed class ArrivalTests
{
    private const int Draws = 10_000;
    private const double StandardErrors = 4;

    [Theory]
    [InlineData(1.0)] // Poisson: exponential gaps, CV 1
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(4.0)]
    public void Gamma_intervals_have_the_rate_as_mean_and_one_over_root_shape_as_cv(double shape)
    {
        const double rate = 8.0;
        var sampler = new GammaSampler(shape, new Random(20251126));
        var gaps = Enumerable.Range(0, Draws).Select(_ => sampler.Next(1.0 / (rate * shape))).ToList();

        var mean = gaps.Average();
        var cv = Math.Sqrt(gaps.Select(g => (g - mean) * (g - mean)).Average()) / mean;
        var expectedCv = 1 / Math.Sqrt(shape);
        var meanTolerance = StandardErrors * expectedCv / Math.Sqrt(Draws);
        var cvTolerance = StandardErrors * 0.5 * Math.Sqrt((2 + (6 / shape)) / Draws);

        Assert.InRange(1 / mean, rate * (1 - meanTolerance), rate * (1 + meanTolerance));
        Assert.InRange(cv, expectedCv * (1 - cvTolerance), expectedCv * (1 + cvTolerance));
        Assert.All(gaps, g => Assert.True(g >= 0));
    }

    [Fact]
    public void A_count_bounded_schedule_is_rescaled_to_end_at_count_over_rate_like_vllm()
    {
        var offsets = ArrivalSchedule.FromRate(new TrafficOptions { RequestRate = 5, NumRequests = Draws }, new Random(7));

        Assert.Equal(Draws, offsets.Length);
        Assert.Equal(Draws / 5.0, offsets[^1], 9);
        Assert.True(offsets.Zip(offsets.Skip(1)).All(pair => pair.First <= pair.Second));
        var gaps = offsets.Zip(offsets.Skip(1), (a, b) => b - a).ToList();
        var cv = Math.Sqrt(gaps.Select(g => (g - gaps.Average()) * (g - gaps.Average())).Average()) / gaps.Average();
        Assert.InRange(cv, 1 - (StandardErrors * 0.5 * Math.Sqrt(8.0 / Draws)), 1 + (StandardErrors * 0.5 * Math.Sqrt(8.0 / Draws)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_schedule_and_another_seed_does_not()
    {
        var traffic = new TrafficOptions { RequestRate = 3, NumRequests = 50, Burstiness = 0.5 };

        Assert.Equal(ArrivalSchedule.FromRate(traffic, new Random(1)), ArrivalSchedule.FromRate(traffic, new Random(1)));
        Assert.NotEqual(ArrivalSchedule.FromRate(traffic, new Random(1)), ArrivalSchedule.FromRate(traffic, new Random(2)));
    }

    [Fact]
    public void An_infinite_rate_sends_everything_at_once()
    {
        Assert.All(ArrivalSchedule.FromRate(new TrafficOptions { NumRequests = 20 }, new Random(1)), offset => Assert.Equal(0, offset));
    }

    [Fact]
    public void A_duration_bounds_the_schedule_and_the_count_follows_the_rate()
    {
        const double rate = 50;
        const double seconds = 100;
        var offsets = ArrivalSchedule.FromRate(new TrafficOptions { RequestRate = rate, Duration = TimeSpan.FromSeconds(seconds) }, new Random(3));

        Assert.All(offsets, offset => Assert.InRange(offset, 0, seconds));
        var expected = rate * seconds; // Poisson count: standard deviation √expected
        Assert.InRange(offsets.Length, expected - (StandardErrors * Math.Sqrt(expected)), expected + (StandardErrors * Math.Sqrt(expected)));
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("exponential")]
    public void A_ramp_moves_the_rate_from_start_to_end(string strategyName)
    {
        var strategy = Enum.Parse<RampUpStrategy>(strategyName, ignoreCase: true);
        var traffic = new TrafficOptions { NumRequests = Draws, RampUp = new RampUp(strategy, 2, 32) };
        var offsets = ArrivalSchedule.FromRate(traffic, new Random(5));
        const int tenth = Draws / 10;

        // Rate over the first and last tenth of the requests, against the ramp's rate at those points (midpoints of each tenth).
        var firstRate = tenth / (offsets[tenth - 1] - offsets[0]);
        var lastRate = tenth / (offsets[^1] - offsets[^tenth]);
        Assert.InRange(firstRate, traffic.RampUp!.RateAt(0.05) * 0.85, traffic.RampUp.RateAt(0.05) * 1.15);
        Assert.InRange(lastRate, traffic.RampUp.RateAt(0.95) * 0.85, traffic.RampUp.RateAt(0.95) * 1.15);
        Assert.Equal(32, traffic.RampUp.RateAt(1), 9);
        Assert.Equal(strategy == RampUpStrategy.Linear ? 17 : 8, traffic.RampUp.RateAt(0.5), 9);
    }

    [Fact]
    public void Timestamps_replay_relative_to_the_first_divided_by_the_speedup_and_cut_at_the_duration()
    {
        var traffic = new TrafficOptions { TimestampSpeedup = 2, Duration = TimeSpan.FromSeconds(3) };

        Assert.Equal([0, 1, 2.5], ArrivalSchedule.FromTimestamps([10, 12, 15, 20], traffic));
    }
}
