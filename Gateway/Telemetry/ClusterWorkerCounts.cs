using System.Diagnostics.Metrics;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Runtime.Telemetry;

namespace EpdCluster.Gateway.Telemetry;

/// <summary>
/// <c>epd_cluster_workers{role}</c>: how many workers of each role the worker directory lists, refreshed every
/// <see cref="MetricsOptions.DirectoryPollInterval"/>. A role at 0 means requests needing it fail. While the directory
/// is unreachable the gauge reports nothing rather than a stale count.
/// </summary>
internal sealed partial class ClusterWorkerCounts : BackgroundService
{
    private readonly IGrainFactory _grains;
    private readonly MetricsOptions _options;
    private readonly ILogger<ClusterWorkerCounts> _logger;
    private volatile IReadOnlyList<Measurement<int>> _counts = [];

    public ClusterWorkerCounts(IMeterFactory meterFactory, IGrainFactory grains, MetricsOptions options, ILogger<ClusterWorkerCounts> logger)
    {
        _grains = grains;
        _options = options;
        _logger = logger;
        meterFactory.Create(EpdTelemetry.GatewayMeterName).CreateObservableGauge(
            "epd_cluster_workers", () => _counts, "{worker}", "Workers in the worker directory holding each role.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first poll waits one interval: at start-up the directory's silo is rarely up yet.
        using var timer = new PeriodicTimer(_options.DirectoryPollInterval);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var workers = await _grains.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers().WaitAsync(stoppingToken);
                _counts = WorkerRoles.All
                    .Select(role => new Measurement<int>(workers.Count(w => w.Has(role)), new KeyValuePair<string, object?>(MetricLabels.Role, role.ToWireName())))
                    .ToList();
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _counts = [];
                if (!failing)
                {
                    LogDirectoryUnreachable(_logger, e.Message);
                }

                failing = true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The worker directory is unreachable for epd_cluster_workers: {Reason}")]
    private static partial void LogDirectoryUnreachable(ILogger logger, string reason);
}
