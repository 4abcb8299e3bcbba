namespace EpdCluster.Runtime.Telemetry;

/// <summary>Where a process serves its Prometheus metrics. Section <c>Epd:Metrics</c>.</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Epd:Metrics";

    /// <summary>
    /// Port of a worker's own scrape endpoint (<c>http://Host:Port/metrics</c>); 0 (default) serves none. The gateway
    /// always serves <c>/metrics</c> on its HTTP port instead. <c>./epd up</c> gives every silo a free port.
    /// </summary>
    public int Port { get; set; }

    /// <summary>Address the worker's scrape endpoint binds (default loopback, like every other listener here).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// How long a scrape answer is reused (default 300 ms, the OpenTelemetry exporter's own default); 0 renders every
    /// scrape afresh (tests that read a value right after causing it).
    /// </summary>
    public int ScrapeResponseCacheMilliseconds { get; set; } = 300;

    /// <summary>
    /// How often the gateway refreshes its view of the worker directory for <c>epd_cluster_workers</c> (default 5 s:
    /// a third of Prometheus' default 15 s scrape interval, so every scrape sees a fresh count).
    /// </summary>
    public TimeSpan DirectoryPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"{SectionName}:Port must be 0 (off) or a TCP port (1-65535), not {Port}.");
        }

        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new InvalidOperationException($"{SectionName}:Host must not be empty.");
        }

        if (ScrapeResponseCacheMilliseconds < 0)
        {
            throw new InvalidOperationException($"{SectionName}:ScrapeResponseCacheMilliseconds must be 0 or positive.");
        }

        if (DirectoryPollInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:DirectoryPollInterval must be positive.");
        }
    }
}
