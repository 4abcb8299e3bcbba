using System.Diagnostics;

namespace EpdCluster.Runtime.Telemetry;

/// <summary>Names of the meters and activity sources every EpdCluster process exports.</summary>
public static class EpdTelemetry
{
    /// <summary>Meter of the worker and request-orchestration metrics in this library.</summary>
    public const string RuntimeMeterName = "EpdCluster.Runtime";

    /// <summary>Meter of the gateway's request metrics.</summary>
    public const string GatewayMeterName = "EpdCluster.Gateway";

    /// <summary>Orleans' own meter (messaging, grains, membership, ...).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>Activity source of the request stages in this library (cluster client, role grains, KV hand-off).</summary>
    public const string RuntimeActivitySourceName = "EpdCluster.Runtime";

    /// <summary>Activity source of the gateway's request pipeline.</summary>
    public const string GatewayActivitySourceName = "EpdCluster.Gateway";

    /// <summary>Orleans' activity sources for grain calls (client and server spans); active with <c>AddActivityPropagation</c>.</summary>
    public static IReadOnlyList<string> OrleansActivitySourceNames { get; } = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>The <c>x-request-id</c> of the gateway request a span or log belongs to.</summary>
    public const string RequestIdTag = "epd.request_id";

    /// <summary>The numeric id a request carries between the stages of the cluster.</summary>
    public const string ClusterRequestIdTag = "epd.cluster_request_id";

    public const string WorkerTag = "epd.worker";

    internal static ActivitySource RuntimeActivitySource { get; } = new(RuntimeActivitySourceName);
}
