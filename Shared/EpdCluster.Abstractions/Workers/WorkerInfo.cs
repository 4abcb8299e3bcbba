namespace EpdCluster.Abstractions.Workers;

/// <summary>
/// A worker as the directory knows it: identity, current roles, where its KV transfer channel listens, its load,
/// and whether a role switch is draining it (then routing sends it no new work).
/// </summary>
[GenerateSerializer, Immutable, Alias("epd.WorkerInfo")]
public sealed record WorkerInfo(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string SiloAddress,
    [property: Id(2)] IReadOnlyList<WorkerRole> Roles,
    [property: Id(3)] string? TransferEndpoint,
    [property: Id(4)] WorkerLoad Load,
    [property: Id(5)] DateTime ReportedAtUtc,
    [property: Id(6)] bool Draining = false)
{
    public bool Has(WorkerRole role) => Roles.Contains(role);

    /// <summary>True when routing may send it new work for <paramref name="role"/>.</summary>
    public bool Accepts(WorkerRole role) => !Draining && Has(role);
}
