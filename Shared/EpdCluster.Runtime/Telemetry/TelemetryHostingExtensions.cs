using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EpdCluster.Runtime.Telemetry;

/// <summary>
/// OpenTelemetry for every process: EpdCluster's, Orleans' and the .NET runtime's meters; traces and logs over OTLP
/// when an endpoint is configured; a worker's own Prometheus endpoint when <c>Epd:Metrics:Port</c> is set.
/// </summary>
public static class TelemetryHostingExtensions
{
    /// <summary>
    /// Reads and validates <c>Epd:Metrics</c> and <c>Epd:Telemetry</c> and registers the meters and sources. Safe to call
    /// more than once (the all-in-one gateway composes a worker too); the first call names the service.
    /// </summary>
    /// <returns>The OpenTelemetry builder, for host-specific instrumentation and exporters.</returns>
    public static IOpenTelemetryBuilder AddEpdTelemetry(this IHostApplicationBuilder builder, string serviceName, string? instanceId)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(MetricsOptions)))
        {
            return services.AddOpenTelemetry();
        }

        var metrics = builder.Configuration.GetSection(MetricsOptions.SectionName).Get<MetricsOptions>() ?? new MetricsOptions();
        metrics.Validate();
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        telemetry.Validate();
        services.AddSingleton(metrics);
        services.AddSingleton(telemetry);
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, MeterProviderStartup>());

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: instanceId))
            .WithMetrics(meters => meters
                .AddMeter(Engine.Telemetry.EngineMetrics.MeterName, EpdTelemetry.RuntimeMeterName, EpdTelemetry.GatewayMeterName, EpdTelemetry.OrleansMeterName, Scheduling.SchedulerMetrics.MeterName)
                .AddRuntimeInstrumentation());
        if (telemetry.OtlpEnabled)
        {
            otel.WithTracing(tracing => tracing
                    .AddSource(EpdTelemetry.GatewayActivitySourceName, EpdTelemetry.RuntimeActivitySourceName)
                    .AddSource([.. EpdTelemetry.OrleansActivitySourceNames]))
                .WithLogging();
            if (string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint))
            {
                otel.UseOtlpExporter();
            }
            else
            {
                var protocol = telemetry.OtlpProtocol == OtlpProtocol.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                otel.UseOtlpExporter(protocol, new Uri(telemetry.OtlpEndpoint));
            }
        }

        return otel;
    }

    /// <summary>
    /// Serves this process's metrics on <c>http://Host:Port/metrics</c> when <c>Epd:Metrics:Port</c> is set (a worker
    /// host has no HTTP server of its own). Call after <see cref="AddEpdTelemetry"/>.
    /// </summary>
    public static IHostApplicationBuilder AddEpdMetricsListener(this IHostApplicationBuilder builder)
    {
        var metrics = builder.Services.GetRegistered<MetricsOptions>();
        if (metrics.Port == 0)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry().WithMetrics(meters => meters.AddPrometheusHttpListener(listener =>
        {
            listener.Host = metrics.Host;
            listener.Port = metrics.Port;
            listener.ScrapeResponseCacheDurationMilliseconds = metrics.ScrapeResponseCacheMilliseconds;
        }));
        return builder;
    }

    /// <summary>The options instance <see cref="AddEpdTelemetry"/> registered (read once from configuration).</summary>
    public static T GetRegistered<T>(this IServiceCollection services)
        where T : class =>
        services.LastOrDefault(d => d.ServiceType == typeof(T))?.ImplementationInstance as T
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered: call AddEpdTelemetry first.");
}
