namespace EpdCluster.Gateway.Tests;

/// <summary>A gateway that runs one request at a time and queues none: a second concurrent request gets 429.</summary>
public sealed class QueueLimitedGatewayFixture : GatewayFixture
{
    public const int RetryAfterSeconds = 7;

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings() =>
    [
        new("Epd:Gateway:Limits:MaxRunningRequests", "1"),
        new("Epd:Gateway:Limits:MaxQueuedRequests", "0"),
        new("Epd:Gateway:Limits:RetryAfterSeconds", RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}
