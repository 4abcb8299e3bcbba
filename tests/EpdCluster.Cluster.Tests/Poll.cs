namespace EpdCluster.Cluster.Tests;

/// <summary>
/// Waits for cluster state that arrives after the client has its answer: worker loads come with each worker's
/// heartbeat (every second), role switches and scheduler moves finish on their own.
/// </summary>
internal static class Poll
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Asks <paramref name="condition"/> until it holds; fails with <paramref name="failure"/> after the timeout (15 s unless given).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string failure, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(Interval);
        }

        Assert.Fail(failure);
    }
}
