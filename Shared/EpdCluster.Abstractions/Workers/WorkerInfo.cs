namespace EpdCluster.Abstractions.Workers;

/// <summary>A worker as the directory knows it: identity, roles, where its KV transfer channel listens, and its load.</summary>
[GenerateSerializer, Immutable, Alias("epd.WorkerInfo")]
public sealed record WorkerInfo(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string SiloAddress,
    [property: Id(2)] IReadOnlyList<WorkerRole> Roles,
    [property: Id(3)] string? TransferEndpoint,
    [property: Id(4)] WorkerLoad Load,
    [property: Id(5)] DateTime ReportedAtUtc)
{
    public bool Has(WorkerRole role) => Roles.Contains(role);
}
