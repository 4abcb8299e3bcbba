using EpdCluster.Abstractions;

namespace EpdCluster.Runtime.Hosting;

/// <summary>This process's worker id and roles, fixed at start-up.</summary>
public sealed record WorkerIdentity(string WorkerId, IReadOnlyList<WorkerRole> Roles);
