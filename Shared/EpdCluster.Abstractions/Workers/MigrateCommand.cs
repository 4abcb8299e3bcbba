namespace EpdCluster.Abstractions.Workers;

/// <summary>Continue a request that was decoding on <see cref="FromWorker"/>: its prompt, the tokens generated so far, its sampling.</summary>
[GenerateSerializer, Immutable, Alias("epd.MigrateCommand")]
public sealed record MigrateCommand(
    [property: Id(0)] long RequestId,
    [property: Id(1)] int[] PromptIds,
    [property: Id(2)] int[] GeneratedTokens,
    [property: Id(3)] SamplingSpec Sampling,
    [property: Id(4)] string FromWorker);
