namespace EpdCluster.Abstractions.Workers;

/// <summary>How KV blocks travel from prefill to decode.</summary>
[GenerateSerializer, Alias("epd.KvTransport")]
public enum KvTransport
{
    /// <summary>The direct TCP channel between the two workers (default).</summary>
    Direct = 0,

    /// <summary>Short-lived Redis keys the decode worker pulls (also the fallback when the direct channel fails).</summary>
    Redis = 1,
}
