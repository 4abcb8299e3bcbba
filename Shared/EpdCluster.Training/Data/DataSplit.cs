namespace EpdCluster.Training.Data;

/// <summary>Disjoint seed ranges: training never sees a held-out scene.</summary>
public enum DataSplit
{
    Train,
    HeldOut,
}
