namespace EpdCluster.Runtime.Hosting;

/// <summary>Lets a client start before the silos do: retries the first connection until a deadline.</summary>
internal sealed class GatewayConnectionRetryFilter(TimeSpan timeout) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly DateTime _deadlineUtc = DateTime.UtcNow + timeout;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow >= _deadlineUtc)
        {
            return false;
        }

        await Task.Delay(RetryDelay, cancellationToken);
        return true;
    }
}
