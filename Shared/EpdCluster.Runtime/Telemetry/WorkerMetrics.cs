using System.Diagnostics.Metrics;
using EpdCluster.Abstractions;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Runtime.Hosting;

namespace EpdCluster.Runtime.Telemetry;

/// <summary>
/// A worker's own metrics beside its engine's: the roles it holds now, and the KV blocks it hands to decode workers
/// (bytes, time and failures by transport). Labelled with the model and the worker.
/// </summary>
public sealed class WorkerMetrics
{
    /// <summary>The <c>transport</c> label of the direct TCP channel.</summary>
    public const string DirectTransport = "direct";

    /// <summary>The <c>transport</c> label of the Redis KV store.</summary>
    public const string RedisTransport = "redis";

    private readonly KeyValuePair<string, object?>[] _labels;
    private readonly Counter<long> _transferBytes;
    private readonly Histogram<double> _transferDuration;
    private readonly Counter<long> _transferFailures;
    private readonly WorkerIdentity _identity;

    public WorkerMetrics(IMeterFactory meterFactory, WorkerIdentity identity, string model)
    {
        _identity = identity;
        _labels = [new(MetricLabels.Model, model), new(MetricLabels.Worker, identity.WorkerId)];
        var meter = meterFactory.Create(EpdTelemetry.RuntimeMeterName);
        meter.CreateObservableGauge("epd_worker_role", ObserveRoles, null,
            "1 for each role this worker holds now, 0 for the others (one series per role).");
        _transferBytes = meter.CreateCounter<long>("epd_kv_transfer_bytes", "By", "KV cache bytes sent to decode workers, by transport.");
        _transferDuration = meter.CreateHistogram(
            "epd_kv_transfer_duration", "s", "Time to hand one request's KV blocks to its decode worker (export, send, acknowledgement), by transport.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.TimeToFirstTokenSeconds });
        _transferFailures = meter.CreateCounter<long>("epd_kv_transfer_failures", "{request}",
            "KV hand-offs that failed on a transport (a direct failure falls back to Redis and counts once per transport).");

        // Every series from start-up, at 0, so rates exist before the first transfer.
        foreach (var transport in new[] { DirectTransport, RedisTransport })
        {
            _transferBytes.Add(0, With(MetricLabels.Transport, transport));
            _transferFailures.Add(0, With(MetricLabels.Transport, transport));
        }
    }

    /// <param name="transport"><c>direct</c> or <c>redis</c>.</param>
    public void RecordTransfer(string transport, long bytes, TimeSpan duration)
    {
        var labels = With(MetricLabels.Transport, transport);
        _transferBytes.Add(bytes, labels);
        _transferDuration.Record(duration.TotalSeconds, labels);
    }

    public void RecordTransferFailure(string transport) => _transferFailures.Add(1, With(MetricLabels.Transport, transport));

    private IEnumerable<Measurement<int>> ObserveRoles() =>
        WorkerRoles.All.Select(role => new Measurement<int>(_identity.Roles.Contains(role) ? 1 : 0, With(MetricLabels.Role, role.ToWireName())));

    private KeyValuePair<string, object?>[] With(string key, string value) => [.. _labels, new(key, value)];
}
