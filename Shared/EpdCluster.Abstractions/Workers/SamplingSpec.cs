namespace EpdCluster.Abstractions.Workers;

/// <summary>The sampling parameters of a request as they travel between stages.</summary>
[GenerateSerializer, Immutable, Alias("epd.SamplingSpec")]
public sealed record SamplingSpec(
    [property: Id(0)] int MaxTokens,
    [property: Id(1)] double Temperature,
    [property: Id(2)] double TopP,
    [property: Id(3)] int TopK,
    [property: Id(4)] long Seed,
    [property: Id(5)] IReadOnlyList<int> StopTokenIds,
    [property: Id(6)] bool IgnoreStopTokens);
