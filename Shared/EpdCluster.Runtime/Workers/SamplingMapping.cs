using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Serving;

namespace EpdCluster.Runtime.Workers;

/// <summary>Between the engine's types and the contracts that travel between stages.</summary>
public static class SamplingMapping
{
    /// <summary>The wire form; a missing seed is drawn here so prefill and decode sample from the same one.</summary>
    public static SamplingSpec ToSpec(this SamplingParams p) =>
        new(p.MaxTokens, p.Temperature, p.TopP, p.TopK, p.Seed ?? Random.Shared.NextInt64(), p.StopTokenIds, p.IgnoreStopTokens);

    public static SamplingParams ToParams(this SamplingSpec s) => new()
    {
        MaxTokens = s.MaxTokens,
        Temperature = s.Temperature,
        TopP = s.TopP,
        TopK = s.TopK,
        Seed = s.Seed,
        StopTokenIds = s.StopTokenIds,
        IgnoreStopTokens = s.IgnoreStopTokens,
    };

    public static TokenFinish ToWire(this FinishReason? reason) => reason switch
    {
        null => TokenFinish.None,
        FinishReason.Stop => TokenFinish.Stop,
        FinishReason.Length => TokenFinish.Length,
        _ => TokenFinish.Abort,
    };

    public static FinishReason? ToEngine(this TokenFinish finish) => finish switch
    {
        TokenFinish.None => null,
        TokenFinish.Stop => FinishReason.Stop,
        TokenFinish.Length => FinishReason.Length,
        _ => FinishReason.Abort,
    };
}
