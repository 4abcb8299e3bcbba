using EpdCluster.Simulation.Profiles;

namespace EpdCluster.Simulation.Tests;

public sealed class PiecewiseLinearTests
{
    private static readonly PiecewiseLinear Curve = new([(4, 1.0), (1, 0.5), (8, 1.2)]);

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(2.5, 0.75)] // between measured points
    [InlineData(6, 1.1)]
    [InlineData(16, 1.6)] // beyond the last point: along the last segment
    [InlineData(0.5, 0.25)] // below the first point: proportional
    public void Interpolates_between_points_and_extrapolates_along_the_ends(double x, double expected)
    {
        Assert.Equal(expected, Curve.At(x), 9);
    }

    [Fact]
    public void Bad_points_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PiecewiseLinear([]));
        Assert.Throws<ArgumentException>(() => new PiecewiseLinear([(0, 1.0)]));
        Assert.Throws<ArgumentException>(() => new PiecewiseLinear([(1, 1.0), (1, 2.0)]));
        var profile = Profiles.Linear();
        profile.DecodeStepSeconds = [[1, 2, 3]];
        Assert.Contains("decode_step_seconds", Assert.Throws<InvalidDataException>(profile.Validate).Message);
    }
}
