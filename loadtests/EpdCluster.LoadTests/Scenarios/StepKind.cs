namespace EpdCluster.LoadTests.Scenarios;

/// <summary>What a scenario step does.</summary>
internal enum StepKind
{
    /// <summary>Sends requests whose results are reported apart and never count towards the run's figures.</summary>
    Warmup,

    /// <summary>A fixed rate (or the workload's own timestamps).</summary>
    Constant,

    /// <summary>A rate moving from a start to an end rate (ramp_up).</summary>
    Ramp,

    /// <summary>A bisection of the rate for the highest one meeting the SLO attainment target.</summary>
    Sweep,
}
