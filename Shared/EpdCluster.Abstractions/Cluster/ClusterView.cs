namespace EpdCluster.Abstractions.Cluster;

/// <summary>The active silos of the cluster and the roles each started with.</summary>
[GenerateSerializer, Immutable, Alias("epd.ClusterView")]
public sealed record ClusterView(
    [property: Id(0)] IReadOnlyList<SiloView> Silos,
    [property: Id(1)] long MembershipVersion)
{
    /// <summary>How many active silos hold <paramref name="role"/>.</summary>
    public int CountWithRole(WorkerRole role) => Silos.Count(s => s.Roles.Contains(role));
}
