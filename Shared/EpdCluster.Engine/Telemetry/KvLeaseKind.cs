namespace EpdCluster.Engine.Telemetry;

/// <summary>The <c>lease</c> label values: which side of a KV hand-off holds the blocks.</summary>
public static class KvLeaseKind
{
    /// <summary>Blocks a decode worker reserved for an incoming transfer.</summary>
    public const string Reserved = "reserved";

    /// <summary>Blocks a prefill worker keeps after the first token until they are exported.</summary>
    public const string Parked = "parked";
}
