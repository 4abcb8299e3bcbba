using EpdCluster.Runtime.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Telemetry;

/// <summary>
/// Creates the worker's observable metrics at start-up (so roles and cache counters are scraped before the first
/// request) and says where the worker's scrape endpoint is.
/// </summary>
internal sealed partial class WorkerTelemetryStartup : IHostedService
{
    private readonly MetricsOptions _options;
    private readonly WorkerIdentity _identity;
    private readonly ILogger<WorkerTelemetryStartup> _logger;

    public WorkerTelemetryStartup(WorkerMetrics workerMetrics, TokenCacheMetrics cacheMetrics, MetricsOptions options, WorkerIdentity identity, ILogger<WorkerTelemetryStartup> logger)
    {
        // Resolving them registers their observable instruments with the meter now.
        ArgumentNullException.ThrowIfNull(workerMetrics);
        ArgumentNullException.ThrowIfNull(cacheMetrics);
        _options = options;
        _identity = identity;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Port != 0)
        {
            LogServing(_logger, _identity.WorkerId, $"http://{_options.Host}:{_options.Port}/metrics");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} serves Prometheus metrics on {Url}")]
    private static partial void LogServing(ILogger logger, string workerId, string url);
}
