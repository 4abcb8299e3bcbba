using System.Diagnostics.Metrics;
using EpdCluster.Engine.Serving;

namespace EpdCluster.Engine.Telemetry;

/// <summary>
/// One worker engine's metrics (meter <see cref="MeterName"/>), every measurement labelled with the model and the
/// worker: load gauges read from the engine's snapshots at collection time, step times and batch sizes recorded on
/// the inference thread, KV reservations and leases. BCL <see cref="System.Diagnostics.Metrics"/> only; the hosts
/// choose the exporter.
/// </summary>
public sealed class EngineMetrics
{
    public const string MeterName = "EpdCluster.Engine";

    private readonly KeyValuePair<string, object?>[] _labels;
    private readonly Histogram<double> _stepDuration;
    private readonly Histogram<int> _stepBatchSize;
    private readonly Counter<long> _preemptions;
    private readonly Counter<long> _reservations;
    private readonly Counter<long> _leaseExpiries;
    private readonly UpDownCounter<long> _leasedBlocks;
    private readonly Dictionary<string, KeyValuePair<string, object?>[]> _stageLabels;
    private volatile IWorkerEngine? _engine;

    public EngineMetrics(IMeterFactory meterFactory, string model, string worker)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _labels = [new(MetricLabels.Model, model), new(MetricLabels.Worker, worker)];
        _stageLabels = new[] { EngineStage.Encode, EngineStage.Prefill, EngineStage.Decode }
            .ToDictionary(stage => stage, stage => With(MetricLabels.Stage, stage));
        var meter = meterFactory.Create(MeterName);

        meter.CreateObservableGauge("epd_num_requests_running", () => Observe(s => s.Llm.Stats.Running), "{request}",
            "Sequences in the language model's running batch.");
        meter.CreateObservableGauge("epd_num_requests_waiting", () => Observe(s => s.Llm.Stats.Waiting), "{request}",
            "Sequences waiting to join the running batch.");
        meter.CreateObservableGauge("epd_kv_cache_usage_perc", () => Observe(s => s.Llm.Stats.KvCacheUsage), null,
            "Share of KV blocks in use, 0 to 1 (vLLM's kv_cache_usage_perc).");
        meter.CreateObservableGauge("epd_kv_cache_free_blocks", () => Observe(s => s.Llm.Stats.FreeBlocks), "{block}",
            "Free KV blocks.");
        meter.CreateObservableGauge("epd_kv_cache_total_blocks", () => Observe(s => s.Llm.Stats.TotalBlocks), "{block}",
            "KV blocks in the pool.");
        meter.CreateObservableGauge("epd_stage_queue_tokens", ObserveQueueTokens, "{token}",
            "Tokens queued at a stage: image tokens of queued tiles (encode), prompt tokens not yet prefilled (prefill).");
        meter.CreateObservableGauge("epd_stage_queue_requests", ObserveQueueRequests, "{request}",
            "Jobs queued at a stage: tile batches (encode), sequences waiting for the batch (prefill).");
        meter.CreateObservableCounter("epd_engine_generated_tokens", () => Observe(s => s.Llm.Stats.GeneratedTokens), "{token}",
            "Tokens sampled by this engine (first tokens on prefill workers, the rest on decode workers).");

        _stepDuration = meter.CreateHistogram(
            "epd_step_duration", "s", "Time of one engine step: a vision-tower batch (encode) or a language-model forward (prefill when it holds a prompt chunk, else decode).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.TimeToFirstTokenSeconds });
        _stepBatchSize = meter.CreateHistogram(
            "epd_step_batch_size", "{item}", "Tiles (encode) or sequences (prefill, decode) in one engine step.",
            tags: null, advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = MetricBuckets.BatchSize.Select(b => (int)b).ToArray() });
        _preemptions = meter.CreateCounter<long>("epd_engine_preemptions", "{request}", "Sequences preempted for lack of KV blocks (recomputed later).");
        _reservations = meter.CreateCounter<long>("epd_kv_reservations", "{request}", "KV reservations for incoming transfers, by result (granted, refused).");
        _leaseExpiries = meter.CreateCounter<long>("epd_kv_lease_expiries", "{request}", "KV leases that ran out before their transfer: the blocks were freed.");
        _leasedBlocks = meter.CreateUpDownCounter<long>("epd_kv_leased_blocks", "{block}", "KV blocks held under a lease, by lease (reserved, parked).");

        // Every series from start-up, at 0: rates are defined (and dashboards draw) before the first event of each kind.
        _preemptions.Add(0, _labels);
        _reservations.Add(0, With(MetricLabels.Result, "granted"));
        _reservations.Add(0, With(MetricLabels.Result, "refused"));
        foreach (var lease in new[] { KvLeaseKind.Reserved, KvLeaseKind.Parked })
        {
            _leaseExpiries.Add(0, With(MetricLabels.Lease, lease));
            _leasedBlocks.Add(0, With(MetricLabels.Lease, lease));
        }
    }

    /// <summary>Starts reporting the load gauges of <paramref name="engine"/>.</summary>
    public void Attach(IWorkerEngine engine) => _engine = engine;

    public void RecordStep(string stage, TimeSpan duration, int batchSize)
    {
        var labels = _stageLabels[stage];
        _stepDuration.Record(duration.TotalSeconds, labels);
        _stepBatchSize.Record(batchSize, labels);
    }

    public void RecordPreemption() => _preemptions.Add(1, _labels);

    public void RecordReservation(bool granted) => _reservations.Add(1, With(MetricLabels.Result, granted ? "granted" : "refused"));

    public void RecordLeaseTaken(string lease, int blocks) => _leasedBlocks.Add(blocks, With(MetricLabels.Lease, lease));

    public void RecordLeaseReleased(string lease, int blocks, bool expired)
    {
        var labels = With(MetricLabels.Lease, lease);
        _leasedBlocks.Add(-blocks, labels);
        if (expired)
        {
            _leaseExpiries.Add(1, labels);
        }
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<IWorkerEngine, T> read)
        where T : struct =>
        _engine is { } engine ? [new Measurement<T>(read(engine), _labels)] : [];

    private IEnumerable<Measurement<long>> ObserveQueueTokens()
    {
        if (_engine is not { } engine)
        {
            return [];
        }

        return
        [
            new((long)engine.Encoder.QueuedTiles * engine.Config.TokensPerTile, _stageLabels[EngineStage.Encode]),
            new(engine.Llm.Stats.QueuedPromptTokens, _stageLabels[EngineStage.Prefill]),
        ];
    }

    private IEnumerable<Measurement<int>> ObserveQueueRequests()
    {
        if (_engine is not { } engine)
        {
            return [];
        }

        return
        [
            new(engine.Encoder.QueuedJobs, _stageLabels[EngineStage.Encode]),
            new(engine.Llm.Stats.Waiting, _stageLabels[EngineStage.Prefill]),
        ];
    }

    private KeyValuePair<string, object?>[] With(string key, string value) => [.. _labels, new(key, value)];
}
