namespace EpdCluster.Runtime.Hosting;

/// <summary>Where Orleans keeps cluster membership.</summary>
public enum ClusteringMode
{
    /// <summary>A single silo on this machine (development clustering).</summary>
    Localhost,

    /// <summary>Membership table in Redis: separate silo processes and clients form one cluster.</summary>
    Redis,
}
