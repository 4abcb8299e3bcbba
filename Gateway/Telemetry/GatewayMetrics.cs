using System.Diagnostics.Metrics;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Gateway.Serving;
using EpdCluster.Runtime.Telemetry;

namespace EpdCluster.Gateway.Telemetry;

/// <summary>
/// The gateway's request metrics (meter <c>EpdCluster.Gateway</c>), named after vLLM's and Dynamo's frontend metrics
/// under <c>epd_</c>, every series labelled with the served model: outcomes, latencies (TTFT, inter-token, per output
/// token, end to end, admission queue), token counts that add up to the responses' <c>usage</c>, admission load and
/// the SLO targets.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly KeyValuePair<string, object?>[] _labels;
    private readonly Dictionary<string, KeyValuePair<string, object?>[]> _statusLabels;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _withinSlo;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private readonly Histogram<double> _timePerOutputToken;
    private readonly Histogram<double> _e2eLatency;
    private readonly Histogram<double> _queueTime;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _imageTokens;
    private readonly Counter<long> _cachedPromptTokens;
    private readonly Counter<long> _generationTokens;

    public GatewayMetrics(IMeterFactory meterFactory, ServedModel model, SloOptions slo, AdmissionController admission)
    {
        Slo = slo;
        _labels = [new(MetricLabels.Model, model.Id)];
        _statusLabels = RequestStatus.All.ToDictionary(s => s, s => new KeyValuePair<string, object?>[] { new(MetricLabels.Model, model.Id), new(MetricLabels.Status, s) });
        var meter = meterFactory.Create(EpdTelemetry.GatewayMeterName);

        _requests = meter.CreateCounter<long>("epd_requests", "{request}", "Completion requests by how they ended (status).");
        _withinSlo = meter.CreateCounter<long>("epd_requests_within_slo", "{request}",
            "Successful requests that met both the TTFT and the TPOT target (SLO attainment = this / successful requests).");
        _timeToFirstToken = Histogram(meter, "epd_time_to_first_token", "From the request's arrival to its first generated token.", MetricBuckets.TimeToFirstTokenSeconds);
        _interTokenLatency = Histogram(meter, "epd_inter_token_latency", "Between consecutive generated tokens of a request.", MetricBuckets.TimePerOutputTokenSeconds);
        _timePerOutputToken = Histogram(meter, "epd_time_per_output_token", "(last token - first token) / (output tokens - 1), per request with at least two tokens.", MetricBuckets.TimePerOutputTokenSeconds);
        _e2eLatency = Histogram(meter, "epd_e2e_request_latency", "From the request's arrival to its last token, per successful request.", MetricBuckets.RequestDurationSeconds);
        _queueTime = Histogram(meter, "epd_request_queue_time", "Time a request waited for a running slot in the gateway's admission queue.", MetricBuckets.TimeToFirstTokenSeconds);
        _promptTokens = meter.CreateCounter<long>("epd_prompt_tokens", "{token}", "Prompt tokens of successful requests, image tokens included (usage.prompt_tokens).");
        _imageTokens = meter.CreateCounter<long>("epd_image_tokens", "{token}", "Image placeholder tokens of successful requests (16 per tile for epd-tiny).");
        _cachedPromptTokens = meter.CreateCounter<long>("epd_cached_prompt_tokens", "{token}", "Prompt tokens served from the multimodal token cache (usage.prompt_tokens_details.cached_tokens).");
        _generationTokens = meter.CreateCounter<long>("epd_generation_tokens", "{token}", "Generated tokens of successful requests (usage.completion_tokens).");

        meter.CreateObservableGauge("epd_frontend_inflight_requests", () => new Measurement<int>(admission.Running, _labels), "{request}",
            "Requests holding a running slot in the gateway (Dynamo's frontend inflight requests).");
        meter.CreateObservableGauge("epd_frontend_queued_requests", () => new Measurement<int>(admission.Queued, _labels), "{request}",
            "Requests waiting in the gateway's admission queue.");
        meter.CreateObservableGauge("epd_slo_time_to_first_token", () => new Measurement<double>(slo.TimeToFirstTokenSeconds, _labels), "s",
            "The TTFT target (Epd:Slo:TimeToFirstTokenSeconds).");
        meter.CreateObservableGauge("epd_slo_time_per_output_token", () => new Measurement<double>(slo.TimePerOutputTokenSeconds, _labels), "s",
            "The TPOT target (Epd:Slo:TimePerOutputTokenSeconds).");

        // Every series from start-up, at 0: rates and ratios are defined before the first request of each kind.
        foreach (var labels in _statusLabels.Values)
        {
            _requests.Add(0, labels);
        }

        foreach (var counter in new[] { _withinSlo, _promptTokens, _imageTokens, _cachedPromptTokens, _generationTokens })
        {
            counter.Add(0, _labels);
        }
    }

    public SloOptions Slo { get; }

    public void RecordOutcome(string status) => _requests.Add(1, _statusLabels[status]);

    public void RecordQueueTime(TimeSpan waited) => _queueTime.Record(waited.TotalSeconds, _labels);

    public void RecordTimeToFirstToken(TimeSpan elapsed) => _timeToFirstToken.Record(elapsed.TotalSeconds, _labels);

    public void RecordInterTokenLatency(TimeSpan gap) => _interTokenLatency.Record(gap.TotalSeconds, _labels);

    /// <param name="timePerOutputToken">Null when the request produced a single token.</param>
    public void RecordCompleted(RequestTokens tokens, TimeSpan e2e, TimeSpan? timePerOutputToken, bool withinSlo)
    {
        _e2eLatency.Record(e2e.TotalSeconds, _labels);
        if (timePerOutputToken is { } tpot)
        {
            _timePerOutputToken.Record(tpot.TotalSeconds, _labels);
        }

        _promptTokens.Add(tokens.Prompt, _labels);
        _imageTokens.Add(tokens.Image, _labels);
        _cachedPromptTokens.Add(tokens.CachedPrompt, _labels);
        _generationTokens.Add(tokens.Generated, _labels);
        if (withinSlo)
        {
            _withinSlo.Add(1, _labels);
        }
    }

    private static Histogram<double> Histogram(Meter meter, string name, string description, IReadOnlyList<double> buckets) =>
        meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });
}
