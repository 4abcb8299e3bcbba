using EpdCluster.LoadTests.Metrics;

namespace EpdCluster.LoadTests.Sweeps;

/// <summary>One rate the sweep tried, what it measured, and whether attainment reached the target.</summary>
internal sealed record SweepProbe
{
    public double Rate { get; init; }

    public bool Passed { get; init; }

    public required StepSummary Summary { get; init; }
}
