namespace EpdCluster.Gateway.Tests;

/// <summary>Waits for state the server updates after the client already has its response (slot release, KV frees).</summary>
internal static class Poll
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    public static async Task<T> UntilAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            Assert.False(deadline.IsCancellationRequested, $"still {value} after {limit}");
            await Task.Delay(Interval);
        }
    }
}
