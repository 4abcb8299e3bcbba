namespace EpdCluster.Abstractions.Cluster;

/// <summary>Keys this product writes into Orleans silo metadata.</summary>
public static class EpdSiloMetadata
{
    /// <summary>The worker's roles at start-up, as <see cref="WorkerRoles.Format"/> writes them.</summary>
    public const string Roles = "epd.roles";

    /// <summary>The worker's stable id (also its placement key for role grains).</summary>
    public const string WorkerId = "epd.worker-id";
}
