using System.Collections.Concurrent;
using EpdCluster.Abstractions.Scheduling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Client;

/// <summary>
/// Collects the latencies of requests this gateway finished and sends them to the scheduler in one one-way call per
/// second, so SLO attainment costs the request path nothing but a queue write.
/// </summary>
public sealed partial class RequestSampleReporter(IGrainFactory grains, ILogger<RequestSampleReporter> logger) : BackgroundService
{
    /// <summary>Routing loads refresh every heartbeat (1 s); reporting as often keeps the window as fresh.</summary>
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>Samples kept while the scheduler is unreachable; older ones are dropped beyond this.</summary>
    private const int MaxPending = 8192;

    private readonly ConcurrentQueue<RequestSample> _pending = new();

    public void Record(RequestSample sample)
    {
        _pending.Enqueue(sample);
        while (_pending.Count > MaxPending && _pending.TryDequeue(out _))
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (_pending.IsEmpty)
            {
                continue;
            }

            var batch = new List<RequestSample>();
            while (batch.Count < MaxPending && _pending.TryDequeue(out var sample))
            {
                batch.Add(sample);
            }

            try
            {
                await grains.GetGrain<ISchedulerGrain>(0).ReportRequests([.. batch]);
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!failing)
                {
                    LogReportFailed(logger, batch.Count, e.Message);
                }

                failing = true;
            }
        }
    }
}
