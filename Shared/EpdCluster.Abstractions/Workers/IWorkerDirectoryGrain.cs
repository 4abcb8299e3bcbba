namespace EpdCluster.Abstractions.Workers;

/// <summary>
/// Every worker of the cluster with its roles and load. Workers report by heartbeat (which also re-registers them
/// after the directory moves); a worker whose silo leaves the cluster is dropped at once.
/// </summary>
[Alias("epd.IWorkerDirectoryGrain")]
public interface IWorkerDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Registers or refreshes a worker.</summary>
    [Alias("Heartbeat")]
    Task Heartbeat(WorkerInfo worker);

    /// <summary>Removes a worker that is shutting down.</summary>
    [Alias("Unregister")]
    Task Unregister(string workerId);

    /// <summary>The live workers, ordered by id.</summary>
    [Alias("GetWorkers")]
    Task<IReadOnlyList<WorkerInfo>> GetWorkers();
}
