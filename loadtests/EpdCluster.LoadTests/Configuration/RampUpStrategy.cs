namespace EpdCluster.LoadTests.Configuration;

/// <summary>vLLM's <c>--ramp-up-strategy</c>: how the rate moves from the start to the end rate over a step.</summary>
internal enum RampUpStrategy
{
    Linear,
    Exponential,
}
