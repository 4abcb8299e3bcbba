using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Abstractions.Workers;

namespace EpdCluster.Runtime.Scheduling;

/// <summary>Everything one evaluation of the policy looks at: the window's figures and every worker's roles and load.</summary>
internal sealed record SchedulerSnapshot(DateTime NowUtc, WindowFigures Window, IReadOnlyList<WorkerInfo> Workers, bool SwitchInProgress);
