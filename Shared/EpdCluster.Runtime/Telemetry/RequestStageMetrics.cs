using System.Diagnostics.Metrics;
using EpdCluster.Engine.Telemetry;

namespace EpdCluster.Runtime.Telemetry;

/// <summary>
/// What the process that orchestrates a request sees of its stages: how long each took, and how many of its image
/// tiles the multimodal token cache already held. Recorded by the gateway (cluster client or embedded backend).
/// </summary>
public sealed class RequestStageMetrics
{
    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Dictionary<string, KeyValuePair<string, object?>[]> _stageLabels;
    private readonly KeyValuePair<string, object?>[] _labels;

    public RequestStageMetrics(IMeterFactory meterFactory, string model)
    {
        _labels = [new(MetricLabels.Model, model)];
        _stageLabels = new[] { EngineStage.Encode, EngineStage.Prefill, EngineStage.Decode }
            .ToDictionary(stage => stage, stage => new KeyValuePair<string, object?>[] { new(MetricLabels.Model, model), new(MetricLabels.Stage, stage) });
        var meter = meterFactory.Create(EpdTelemetry.RuntimeMeterName);
        _stageDuration = meter.CreateHistogram(
            "epd_stage_duration", "s",
            "Time one request spent in a stage: encode (its missing tiles, all encoders), prefill (to the first token), decode (first to last token).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.RequestDurationSeconds });
        _cacheHits = meter.CreateCounter<long>("epd_mm_cache_hits", "{tile}", "Image tiles found in the multimodal token cache when a request was routed (not encoded again).");
        _cacheMisses = meter.CreateCounter<long>("epd_mm_cache_misses", "{tile}", "Image tiles missing from the multimodal token cache when a request was routed (sent to encoders).");
        _cacheHits.Add(0, _labels);
        _cacheMisses.Add(0, _labels);
    }

    /// <param name="stage">One of <see cref="EngineStage"/>.</param>
    public void RecordStage(string stage, TimeSpan duration) => _stageDuration.Record(duration.TotalSeconds, _stageLabels[stage]);

    public void RecordCacheLookup(int hitTiles, int missedTiles)
    {
        if (hitTiles > 0)
        {
            _cacheHits.Add(hitTiles, _labels);
        }

        if (missedTiles > 0)
        {
            _cacheMisses.Add(missedTiles, _labels);
        }
    }
}
