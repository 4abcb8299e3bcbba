namespace EpdCluster.Abstractions.Cluster;

/// <summary>Reads the cluster's membership and each silo's starting roles. Stateless; any silo answers.</summary>
[Alias("epd.IClusterViewGrain")]
public interface IClusterViewGrain : IGrainWithIntegerKey
{
    [Alias("GetView")]
    Task<ClusterView> GetView();
}
