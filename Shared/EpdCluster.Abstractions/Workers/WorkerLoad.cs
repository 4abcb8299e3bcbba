namespace EpdCluster.Abstractions.Workers;

/// <summary>A worker's load as it last reported it (heartbeat).</summary>
[GenerateSerializer, Immutable, Alias("epd.WorkerLoad")]
public sealed record WorkerLoad(
    [property: Id(0)] long QueuedPromptTokens,
    [property: Id(1)] int WaitingRequests,
    [property: Id(2)] int RunningRequests,
    [property: Id(3)] int FreeKvBlocks,
    [property: Id(4)] int TotalKvBlocks,
    [property: Id(5)] int QueuedTiles,
    [property: Id(6)] long EncodedTiles,
    [property: Id(7)] long GeneratedTokens)
{
    public static WorkerLoad Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);
}
