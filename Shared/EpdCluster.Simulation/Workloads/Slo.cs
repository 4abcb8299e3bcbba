namespace EpdCluster.Simulation.Workloads;

/// <summary>Per-request latency objectives: a request meets them when both hold (TPOT only for answers longer than one token).</summary>
public sealed record Slo(double TtftSeconds, double TpotSeconds)
{
    public void Validate()
    {
        if (!(TtftSeconds > 0) || !(TpotSeconds > 0))
        {
            throw new InvalidDataException("The TTFT and TPOT SLOs must be positive.");
        }
    }
}
