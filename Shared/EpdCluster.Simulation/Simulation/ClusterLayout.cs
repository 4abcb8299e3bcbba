namespace EpdCluster.Simulation.Simulation;

/// <summary>How a cluster's workers are used: an E/P/D split, or every worker aggregated (all three stages on each).</summary>
public sealed record ClusterLayout(int Encoders, int Prefills, int Decoders, int Aggregated)
{
    public static ClusterLayout Split(int encoders, int prefills, int decoders) =>
        encoders >= 1 && prefills >= 1 && decoders >= 1 ? new(encoders, prefills, decoders, 0) : throw new ArgumentException("A split needs at least one worker per role.");

    public static ClusterLayout AllAggregated(int workers) =>
        workers >= 1 ? new(0, 0, 0, workers) : throw new ArgumentException("At least one worker.");

    public int Workers => Encoders + Prefills + Decoders + Aggregated;

    public bool IsAggregated => Aggregated > 0;

    /// <summary>Every split of <paramref name="workers"/> workers with at least one per role (EPDServe's brute force).</summary>
    public static IEnumerable<ClusterLayout> AllSplits(int workers)
    {
        for (var e = 1; e <= workers - 2; e++)
        {
            for (var p = 1; p <= workers - e - 1; p++)
            {
                yield return Split(e, p, workers - e - p);
            }
        }
    }

    public override string ToString() => IsAggregated ? $"aggregated x{Aggregated}" : $"E{Encoders} P{Prefills} D{Decoders}";
}
