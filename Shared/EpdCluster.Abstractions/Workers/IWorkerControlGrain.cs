namespace EpdCluster.Abstractions.Workers;

/// <summary>Control of one worker (placed on that worker's silo): role switches.</summary>
[Alias("epd.IWorkerControlGrain")]
public interface IWorkerControlGrain : IGrainWithStringKey
{
    /// <summary>
    /// Drains the worker (routing stops sending it work; encode and prefill work in flight finishes; decoding requests
    /// move to other decode workers), takes <paramref name="roles"/> in place and re-registers. Never throws for a
    /// switch that could not complete: the report says why, and the worker keeps its roles.
    /// </summary>
    [Alias("SwitchRoles")]
    [ResponseTimeout("00:03:00")]
    Task<RoleSwitchReport> SwitchRoles(IReadOnlyList<WorkerRole> roles);
}
