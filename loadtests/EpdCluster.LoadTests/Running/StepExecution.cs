using EpdCluster.LoadTests.Client;

namespace EpdCluster.LoadTests.Running;

/// <summary>The raw result of running one step (or one sweep probe).</summary>
internal sealed record StepExecution
{
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Outcomes of the requests sent, by workload order.</summary>
    public required IReadOnlyList<RequestOutcome> Outcomes { get; init; }

    /// <summary>From the first arrival's clock start until the last request finished.</summary>
    public required double DurationSeconds { get; init; }

    public int PeakConcurrency { get; init; }

    public int NotSent { get; init; }

    /// <summary>The step hit <c>MaxStepDuration</c> and cancelled what was still open.</summary>
    public bool TimeLimitReached { get; init; }
}
