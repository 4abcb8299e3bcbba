using EpdCluster.Gateway.Hosting;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// Bounds the requests the gateway holds: at most <see cref="GatewayLimits.MaxRunningRequests"/> run, at most
/// <see cref="GatewayLimits.MaxQueuedRequests"/> more wait in arrival order, and any beyond that is refused at
/// once (429) instead of growing an unbounded queue.
/// </summary>
internal sealed class AdmissionController(GatewayLimits limits)
{
    private readonly SemaphoreSlim _runningSlots = new(limits.MaxRunningRequests, limits.MaxRunningRequests);
    private int _admitted;

    /// <summary>Requests holding a running slot.</summary>
    public int Running => limits.MaxRunningRequests - _runningSlots.CurrentCount;

    /// <summary>Requests admitted and waiting for a running slot.</summary>
    public int Queued => Math.Max(0, Volatile.Read(ref _admitted) - Running);

    /// <summary>
    /// Waits for a running slot, or returns null at once when running + queued are full. Dispose the lease when
    /// the request is over (its response written or abandoned).
    /// </summary>
    public async ValueTask<AdmissionLease?> TryEnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _admitted) > limits.MaxRunningRequests + limits.MaxQueuedRequests)
        {
            Interlocked.Decrement(ref _admitted);
            return null;
        }

        try
        {
            await _runningSlots.WaitAsync(cancellationToken);
        }
        catch
        {
            Interlocked.Decrement(ref _admitted);
            throw;
        }

        return new AdmissionLease(this);
    }

    internal void Release()
    {
        _runningSlots.Release();
        Interlocked.Decrement(ref _admitted);
    }
}
