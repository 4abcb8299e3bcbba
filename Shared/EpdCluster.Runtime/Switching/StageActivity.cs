using EpdCluster.Abstractions;

namespace EpdCluster.Runtime.Switching;

/// <summary>Calls in flight per stage on this worker, so a drain knows when the work of a role it leaves has finished.</summary>
internal sealed class StageActivity
{
    private readonly int[] _inFlight = new int[WorkerRoles.All.Count];

    public int InFlight(WorkerRole role) => Volatile.Read(ref _inFlight[(int)role]);

    /// <summary>Counts one call of <paramref name="role"/> until the returned scope is disposed.</summary>
    public Scope Track(WorkerRole role)
    {
        Interlocked.Increment(ref _inFlight[(int)role]);
        return new Scope(this, role);
    }

    public readonly struct Scope(StageActivity activity, WorkerRole role) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref activity._inFlight[(int)role]);
    }
}
