namespace EpdCluster.Simulation.Simulation;

/// <summary>What a simulated worker does: one stage, or all three (aggregated).</summary>
public enum StageRole
{
    Encode,
    Prefill,
    Decode,
    All,
}
