namespace EpdCluster.Abstractions.Scheduling;

/// <summary>One finished request's latencies as the gateway measured them.</summary>
/// <param name="TtftSeconds">Arrival at the cluster client to first token (encode + prefill + routing).</param>
/// <param name="EncodeSeconds">Time spent making sure its images are in the token cache (0 without images or on a cache hit).</param>
/// <param name="PrefillSeconds">The prefill call, up to the first token.</param>
/// <param name="TpotSeconds">(last token − first token) / (output tokens − 1); null for a one-token answer.</param>
[GenerateSerializer, Immutable, Alias("epd.RequestSample")]
public readonly record struct RequestSample(
    [property: Id(0)] double TtftSeconds,
    [property: Id(1)] double EncodeSeconds,
    [property: Id(2)] double PrefillSeconds,
    [property: Id(3)] double? TpotSeconds);
