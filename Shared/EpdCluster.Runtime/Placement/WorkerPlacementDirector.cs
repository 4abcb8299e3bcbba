using EpdCluster.Abstractions.Cluster;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace EpdCluster.Runtime.Placement;

/// <summary>
/// Finds the silo whose <c>epd.worker-id</c> metadata equals the grain key. Unlike SiloRoleBasedPlacement (keyed
/// on the assembly name), this addresses one worker among many with the same role.
/// </summary>
internal sealed class WorkerPlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var workerId = target.GrainIdentity.Key.ToString();
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (metadata.GetSiloMetadata(silo).Metadata.TryGetValue(EpdSiloMetadata.WorkerId, out var id) && id == workerId)
            {
                return Task.FromResult(silo);
            }
        }

        throw new OrleansException($"Worker '{workerId}' is not an active member of the cluster.");
    }
}
