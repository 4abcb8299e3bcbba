using Orleans.Placement;

namespace EpdCluster.Runtime.Placement;

/// <summary>Marks a grain class keyed by worker id: its activation lives on that worker's silo.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class WorkerPlacementAttribute() : PlacementAttribute(WorkerPlacementStrategy.Instance);
