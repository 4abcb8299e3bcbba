namespace EpdCluster.Runtime.Scheduling;

/// <summary>Where the scheduler grain keeps its state between activations.</summary>
internal interface ISchedulerStateStore
{
    /// <summary>The last saved state, or null when there is none (a new cluster).</summary>
    Task<SchedulerState?> LoadAsync();

    Task SaveAsync(SchedulerState state);

    /// <summary>Where the state lives, for the start-up log.</summary>
    string Description { get; }
}
