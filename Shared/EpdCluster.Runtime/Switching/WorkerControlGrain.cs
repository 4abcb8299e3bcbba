using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Placement;
using Orleans.Concurrency;

namespace EpdCluster.Runtime.Switching;

/// <summary>Runs role switches on its worker's silo (off the grain's scheduler: a drain polls and makes many calls).</summary>
[WorkerPlacement]
[Reentrant]
internal sealed class WorkerControlGrain(RoleSwitcher switcher) : Grain, IWorkerControlGrain
{
    public Task<RoleSwitchReport> SwitchRoles(IReadOnlyList<WorkerRole> roles) => Task.Run(() => switcher.SwitchAsync(roles));
}
