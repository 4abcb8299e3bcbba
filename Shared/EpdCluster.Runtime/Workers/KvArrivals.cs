using System.Collections.Concurrent;

namespace EpdCluster.Runtime.Workers;

/// <summary>
/// On a decode worker: one completion per reserved request, set when its KV blocks are imported (by the direct
/// channel or from Redis) or failed. The transfer often finishes before the decode call arrives; either order works.
/// </summary>
public sealed class KvArrivals
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _pending = new();

    public void Expect(long requestId) => Get(requestId);

    /// <summary>True while a reservation here waits for (or has received) the request's KV blocks.</summary>
    public bool IsExpected(long requestId) => _pending.ContainsKey(requestId);

    public void Arrived(long requestId) => Get(requestId).TrySetResult();

    public void Failed(long requestId, string reason) =>
        Get(requestId).TrySetException(new InvalidOperationException($"The KV cache of request {requestId} did not arrive: {reason}"));

    /// <summary>Waits for the request's KV blocks, at most <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(long requestId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Get(requestId).Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"The KV cache of request {requestId} did not arrive within {timeout.TotalSeconds:0} s.");
        }
    }

    public void Forget(long requestId) => _pending.TryRemove(requestId, out _);

    private TaskCompletionSource Get(long requestId) =>
        _pending.GetOrAdd(requestId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
