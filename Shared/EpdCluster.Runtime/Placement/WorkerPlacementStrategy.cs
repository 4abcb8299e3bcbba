using Orleans.Runtime;

namespace EpdCluster.Runtime.Placement;

/// <summary>Places a role grain on the silo whose worker id (silo metadata) equals the grain's key.</summary>
[GenerateSerializer, Immutable, Alias("epd.WorkerPlacementStrategy")]
public sealed class WorkerPlacementStrategy : PlacementStrategy
{
    internal static WorkerPlacementStrategy Instance { get; } = new();
}
