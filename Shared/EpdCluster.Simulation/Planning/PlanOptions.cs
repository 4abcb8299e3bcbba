namespace EpdCluster.Simulation.Planning;

/// <summary>How the planner searches.</summary>
public sealed record PlanOptions
{
    /// <summary>Fewest requests per simulated run (EPDServe simulates a few hundred per rate).</summary>
    public int Requests { get; init; } = 400;

    /// <summary>
    /// Shortest simulated traffic per run: at high rates a few hundred requests last seconds, too short for a queue
    /// that grows slowly to show; a run then has rate × this many requests.
    /// </summary>
    public double MinSeconds { get; init; } = 120;

    /// <summary>Requests of one run at <paramref name="rate"/>.</summary>
    public int RequestsAt(double rate) => (int)Math.Max(Requests, Math.Ceiling(rate * MinSeconds));

    /// <summary>Share of requests that must meet both SLOs (goodput's 90 %).</summary>
    public double Target { get; init; } = 0.9;

    /// <summary>First rate tried; the search doubles from here.</summary>
    public double StartRate { get; init; } = 0.05;

    /// <summary>Highest rate tried.</summary>
    public double MaxRate { get; init; } = 10_000;

    public int Seed { get; init; } = 1;

    /// <summary>Also rank every worker aggregated (all three stages on each).</summary>
    public bool IncludeAggregated { get; init; } = true;
}
