namespace EpdCluster.Simulation.Simulation;

/// <summary>What happened to one simulated request; NaN for what never happened (no first token, no TPOT for one token).</summary>
/// <param name="EncodeSeconds">Arrival until its images were encoded (0 without images): the encode part of TTFT.</param>
public readonly record struct RequestOutcome(int Id, double ArrivalSeconds, double TtftSeconds, double TpotSeconds, double FinishSeconds, double EncodeSeconds = double.NaN)
{
    /// <summary>The rest of TTFT: waiting for KV room and for the prefill worker, and prefill itself.</summary>
    public double PrefillSeconds => TtftSeconds - EncodeSeconds;

    public bool Finished => !double.IsNaN(FinishSeconds);
}
