using EpdCluster.Abstractions;

namespace EpdCluster.Runtime.Client;

/// <summary>No live worker holds a role a request needs (the gateway answers 503).</summary>
public sealed class NoWorkersException(WorkerRole role)
    : Exception($"No {role.ToWireName()} worker is available in the cluster.")
{
    public WorkerRole Role { get; } = role;
}
