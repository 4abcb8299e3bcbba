namespace EpdCluster.Abstractions.Workers;

/// <summary>A generated token streamed from a decode worker to the gateway.</summary>
[GenerateSerializer, Immutable, Alias("epd.StreamedToken")]
public readonly record struct StreamedToken(
    [property: Id(0)] int TokenId,
    [property: Id(1)] int Index,
    [property: Id(2)] TokenFinish Finish);
