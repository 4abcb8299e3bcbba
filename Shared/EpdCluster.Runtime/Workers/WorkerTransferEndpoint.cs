namespace EpdCluster.Runtime.Workers;

/// <summary>Where this worker's direct KV transfer channel listens (host:port), once it does.</summary>
public sealed class WorkerTransferEndpoint
{
    public string? Endpoint { get; set; }
}
