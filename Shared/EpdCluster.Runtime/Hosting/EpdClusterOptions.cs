namespace EpdCluster.Runtime.Hosting;

/// <summary>How a process finds the rest of the cluster. Section <c>Epd:Cluster</c>.</summary>
public sealed class EpdClusterOptions
{
    public const string SectionName = "Epd:Cluster";

    /// <summary>Orleans cluster id: processes with the same id form one cluster.</summary>
    public string ClusterId { get; set; } = "epd-local";

    /// <summary>Orleans service id: stable across deployments of the same service.</summary>
    public string ServiceId { get; set; } = "epd-cluster";

    /// <summary><c>Localhost</c>: one silo (or one silo + its clients) on this machine. <c>Redis</c>: membership in Redis, any number of processes.</summary>
    public ClusteringMode Clustering { get; set; } = ClusteringMode.Localhost;

    /// <summary>StackExchange.Redis connection string, e.g. <c>127.0.0.1:6379</c>. Required for <see cref="ClusteringMode.Redis"/>.</summary>
    public string? Redis { get; set; }

    /// <summary>The address silos advertise to each other; loopback by default so nothing listens beyond this machine.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Silo-to-silo port (Orleans' default 11111). Each silo on one machine needs its own.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port (Orleans' default 30000). Each silo on one machine needs its own.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>How long a client keeps retrying to reach a gateway at start-up before giving up.</summary>
    public TimeSpan ClientConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a grain call may take before its caller gives up (Orleans' default 30 s). A request whose stage call
    /// outlasts it fails; stretch it with a simulated engine's time scale so the same backlog fails at the same point.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new InvalidOperationException($"{SectionName}:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new InvalidOperationException($"{SectionName}:ServiceId must not be empty.");
        }

        if (Clustering == ClusteringMode.Redis && string.IsNullOrWhiteSpace(Redis))
        {
            throw new InvalidOperationException($"{SectionName}:Redis (a connection string such as 127.0.0.1:6379) is required when {SectionName}:Clustering is Redis.");
        }

        if (!System.Net.IPAddress.TryParse(AdvertisedAddress, out _))
        {
            throw new InvalidOperationException($"{SectionName}:AdvertisedAddress '{AdvertisedAddress}' is not an IP address.");
        }

        ValidatePort(SiloPort, nameof(SiloPort));
        ValidatePort(GatewayPort, nameof(GatewayPort));
        if (SiloPort == GatewayPort)
        {
            throw new InvalidOperationException($"{SectionName}:SiloPort and {SectionName}:GatewayPort must differ (both are {SiloPort}).");
        }

        if (ClientConnectTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:ClientConnectTimeout must be positive.");
        }

        if (ResponseTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:ResponseTimeout must be positive.");
        }
    }

    private static void ValidatePort(int port, string name)
    {
        if (port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be a TCP port (1-65535), not {port}.");
        }
    }
}
