using EpdCluster.Abstractions;

namespace EpdCluster.Runtime.Scheduling;

/// <summary>What the policy remembers between evaluations: the last move, and which stage missed in how many evaluations in a row.</summary>
internal sealed record PolicyState(DateTime? LastMoveUtc, WorkerRole? ShortStage, int ShortStreak)
{
    public static PolicyState Initial { get; } = new(null, null, 0);
}
