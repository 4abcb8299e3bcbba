using EpdCluster.Abstractions.Workers;

namespace EpdCluster.Abstractions.Scheduling;

/// <summary>What the scheduler sees and did: its settings, the window's attainment, recent decisions and switches.</summary>
/// <param name="DecisionCounts">Decisions since activation, per <see cref="ScheduleDecision.Code"/>.</param>
/// <param name="SwitchingWorker">The worker a switch is draining now, if any.</param>
/// <param name="HostWorkerId">The worker whose silo runs the scheduler now (it moves to another when that silo dies).</param>
[GenerateSerializer, Immutable, Alias("epd.SchedulerStatus")]
public sealed record SchedulerStatus(
    [property: Id(0)] bool Automatic,
    [property: Id(1)] double TtftSloSeconds,
    [property: Id(2)] double TpotSloSeconds,
    [property: Id(3)] double AttainmentTarget,
    [property: Id(4)] double WindowSeconds,
    [property: Id(5)] WindowFigures Window,
    [property: Id(6)] IReadOnlyList<ScheduleDecision> RecentDecisions,
    [property: Id(7)] IReadOnlyList<RoleSwitchReport> RecentSwitches,
    [property: Id(8)] IReadOnlyDictionary<string, long> DecisionCounts,
    [property: Id(9)] string? SwitchingWorker,
    [property: Id(10)] string? HostWorkerId = null);
