namespace EpdCluster.Engine.Telemetry;

/// <summary>Label (tag) names shared by every EpdCluster metric, so queries join across processes.</summary>
public static class MetricLabels
{
    /// <summary>The served model id, e.g. <c>epd-tiny</c>.</summary>
    public const string Model = "model";

    /// <summary>The worker id (<c>Epd:Worker:Id</c>), e.g. <c>decode-1</c>.</summary>
    public const string Worker = "worker";

    /// <summary>A stage of a request or of the engine: <c>encode</c>, <c>prefill</c>, <c>decode</c>.</summary>
    public const string Stage = "stage";

    /// <summary>A worker role: <c>encode</c>, <c>prefill</c>, <c>decode</c>.</summary>
    public const string Role = "role";

    /// <summary>How a request ended (gateway): <c>success</c>, <c>invalid</c>, <c>rejected</c>, <c>unavailable</c>, <c>cancelled</c>, <c>error</c>.</summary>
    public const string Status = "status";

    /// <summary>How KV blocks travelled: <c>direct</c> or <c>redis</c>.</summary>
    public const string Transport = "transport";

    /// <summary>Which KV lease: <c>reserved</c> (decode side, waiting for a transfer) or <c>parked</c> (prefill side, waiting for export).</summary>
    public const string Lease = "lease";

    /// <summary>The outcome of a lookup or reservation: <c>hit</c>/<c>miss</c>, <c>granted</c>/<c>refused</c>.</summary>
    public const string Result = "result";
}
