namespace EpdCluster.LoadTests.Configuration;

/// <summary>A rate that moves from <see cref="StartRps"/> to <see cref="EndRps"/> over the step (vLLM's ramp-up).</summary>
internal sealed record RampUp(RampUpStrategy Strategy, double StartRps, double EndRps)
{
    /// <summary>The rate at <paramref name="progress"/> in [0, 1] of the step.</summary>
    public double RateAt(double progress) => Strategy switch
    {
        RampUpStrategy.Linear => StartRps + ((EndRps - StartRps) * progress),
        RampUpStrategy.Exponential => StartRps * Math.Pow(EndRps / StartRps, progress),
        _ => throw new InvalidOperationException($"Unknown ramp-up strategy {Strategy}."),
    };

    public void Validate(string where)
    {
        if (!(StartRps > 0) || !(EndRps > 0) || double.IsInfinity(StartRps) || double.IsInfinity(EndRps))
        {
            throw new LoadOptionsException($"{where}: ramp-up start and end rates must be positive finite requests per second (got {StartRps} and {EndRps}).");
        }
    }
}
