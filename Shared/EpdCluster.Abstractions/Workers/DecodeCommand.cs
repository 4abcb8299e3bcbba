namespace EpdCluster.Abstractions.Workers;

/// <summary>Continue a prefilled request whose KV blocks are (or will be) in this worker's reservation.</summary>
[GenerateSerializer, Immutable, Alias("epd.DecodeCommand")]
public sealed record DecodeCommand(
    [property: Id(0)] long RequestId,
    [property: Id(1)] int[] PromptIds,
    [property: Id(2)] int FirstToken,
    [property: Id(3)] SamplingSpec Sampling,
    [property: Id(4)] KvTransport Transport);
