namespace EpdCluster.Abstractions.Cluster;

/// <summary>One silo of the cluster as the membership table and its metadata describe it.</summary>
[GenerateSerializer, Immutable, Alias("epd.SiloView")]
public sealed record SiloView(
    [property: Id(0)] string Address,
    [property: Id(1)] string Name,
    [property: Id(2)] string? WorkerId,
    [property: Id(3)] IReadOnlyList<WorkerRole> Roles,
    [property: Id(4)] string Status);
