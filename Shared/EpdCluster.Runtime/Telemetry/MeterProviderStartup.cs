using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace EpdCluster.Runtime.Telemetry;

/// <summary>
/// Builds the OpenTelemetry meter provider before any other hosted service is constructed. The host constructs every
/// hosted service before starting the first, and services constructed then (the engine, the worker's metrics)
/// already record: the zeros that make every counter series exist from start-up, which no listener would see if the
/// provider were only built when OpenTelemetry's own hosted service starts. Registered first.
/// </summary>
internal sealed class MeterProviderStartup : IHostedService
{
    public MeterProviderStartup(MeterProvider meterProvider) => ArgumentNullException.ThrowIfNull(meterProvider);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
