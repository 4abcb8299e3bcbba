using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Abstractions.Workers;

namespace EpdCluster.Runtime.Scheduling;

/// <summary>
/// Everything the scheduler grain remembers, as it is stored (JSON) so that a new activation — on another silo after
/// this one died — carries on: the window's samples, the policy's memory (cooldown, miss streak), automatic on or off,
/// and the decision and switch history with the counts.
/// </summary>
internal sealed record SchedulerState(
    DateTime SavedUtc,
    bool Automatic,
    PolicyState Policy,
    IReadOnlyList<TimedSample> Samples,
    IReadOnlyList<ScheduleDecision> Decisions,
    IReadOnlyList<RoleSwitchReport> Switches,
    IReadOnlyDictionary<string, long> DecisionCounts);

/// <summary>A window sample with the time the scheduler received it.</summary>
internal readonly record struct TimedSample(DateTime AtUtc, RequestSample Sample);
