namespace EpdCluster.Runtime.Scheduling;

/// <summary>Without Redis (one silo, localhost clustering): the state outlives a grain deactivation, not the process.</summary>
internal sealed class InProcessSchedulerStateStore : ISchedulerStateStore
{
    private volatile SchedulerState? _state;

    public string Description => "this process only (no Redis)";

    public Task<SchedulerState?> LoadAsync() => Task.FromResult(_state);

    public Task SaveAsync(SchedulerState state)
    {
        _state = state;
        return Task.CompletedTask;
    }
}
