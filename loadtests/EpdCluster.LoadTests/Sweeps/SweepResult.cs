namespace EpdCluster.LoadTests.Sweeps;

/// <summary>The outcome of a sweep: every probe in the order tried, and the highest rate that passed.</summary>
internal sealed record SweepResult
{
    public double TargetAttainment { get; init; }

    /// <summary>The highest probed rate with attainment ≥ target (the EPD paper's goodput); null when even the lowest rate failed.</summary>
    public double? BestRate { get; init; }

    /// <summary>True when the highest rate passed too: the real limit may lie above the range.</summary>
    public bool LimitAboveRange { get; init; }

    public List<SweepProbe> Probes { get; init; } = [];
}
