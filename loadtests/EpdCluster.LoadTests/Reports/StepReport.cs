using EpdCluster.LoadTests.Metrics;
using EpdCluster.LoadTests.Scenarios;
using EpdCluster.LoadTests.Sweeps;

namespace EpdCluster.LoadTests.Reports;

/// <summary>One step in the result file: its definition as run, and what it measured.</summary>
internal sealed record StepReport
{
    public required ScenarioStep Step { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public bool TimeLimitReached { get; init; }

    /// <summary>The step's figures; for a sweep, those of the best passing probe (null when none passed).</summary>
    public StepSummary? Summary { get; init; }

    public SweepResult? Sweep { get; init; }
}
