using System.Diagnostics.Metrics;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Transfer.Multimodal;

namespace EpdCluster.Runtime.Telemetry;

/// <summary>
/// This process's whole-image reads of the multimodal token cache (prefill workers read every image they splice in),
/// from <see cref="MultimodalCacheCounters"/>: hits, misses and tiles dropped as damaged.
/// </summary>
public sealed class TokenCacheMetrics
{
    public TokenCacheMetrics(IMeterFactory meterFactory, IMultimodalTokenCache cache)
    {
        var counters = cache.Counters;
        var meter = meterFactory.Create(EpdTelemetry.RuntimeMeterName);
        KeyValuePair<string, object?>[] hit = [new(MetricLabels.Result, "hit")];
        KeyValuePair<string, object?>[] miss = [new(MetricLabels.Result, "miss")];
        meter.CreateObservableCounter(
            "epd_mm_cache_image_reads",
            () => new[] { new Measurement<long>(counters.Hits, hit), new Measurement<long>(counters.Misses, miss) },
            "{image}",
            "Whole-image reads of the multimodal token cache by this process, by result (hit: every tile present).");
        meter.CreateObservableCounter(
            "epd_mm_cache_corrupt_tiles", () => counters.CorruptTiles, "{tile}", "Cached tiles that failed their checksum or header check and were removed.");
    }
}
