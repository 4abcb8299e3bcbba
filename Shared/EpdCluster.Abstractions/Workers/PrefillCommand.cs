namespace EpdCluster.Abstractions.Workers;

/// <summary>Prefill a prompt, sample its first token, and hand its KV blocks to a decode worker that reserved room for them.</summary>
/// <param name="KvCodec">The request's KV codec spec (e.g. <c>kivi</c>), or null for the cluster's <c>Epd:Transfer:KvCodec</c>.</param>
[GenerateSerializer, Immutable, Alias("epd.PrefillCommand")]
public sealed record PrefillCommand(
    [property: Id(0)] long RequestId,
    [property: Id(1)] int[] PromptIds,
    [property: Id(2)] IReadOnlyList<ImageReference> Images,
    [property: Id(3)] SamplingSpec Sampling,
    [property: Id(4)] string DecodeWorkerId,
    [property: Id(5)] string? DecodeTransferEndpoint,
    [property: Id(6)] KvTransport Transport,
    [property: Id(7)] string? KvCodec = null);
