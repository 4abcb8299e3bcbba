using EpdCluster.Gateway.Telemetry;
using EpdCluster.Runtime.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace EpdCluster.Gateway.Hosting;

internal static class GatewayTelemetryHostingExtensions
{
    /// <summary>
    /// The gateway's OpenTelemetry: every EpdCluster, Orleans and runtime meter plus ASP.NET Core's, scraped on
    /// <c>/metrics</c> (see <see cref="MapMetricsApi"/>); ASP.NET Core spans when OTLP export is on; the per-role
    /// worker count from the directory.
    /// </summary>
    public static WebApplicationBuilder AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        var otel = builder.AddEpdTelemetry("epd-gateway", instanceId: null);
        var metrics = builder.Services.GetRegistered<MetricsOptions>();
        otel.WithMetrics(meters => meters
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = metrics.ScrapeResponseCacheMilliseconds));
        if (builder.Services.GetRegistered<TelemetryOptions>().OtlpEnabled)
        {
            otel.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation());
        }

        builder.Services.AddHostedService<ClusterWorkerCounts>();
        return builder;
    }

    /// <summary>Request ids, log scopes and request outcome metrics; first in the pipeline, so it sees every final status.</summary>
    public static WebApplication UseRequestTelemetry(this WebApplication app)
    {
        app.UseMiddleware<RequestTelemetryMiddleware>();
        return app;
    }

    /// <summary><c>GET /metrics</c>: this process's metrics in the Prometheus text format.</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
