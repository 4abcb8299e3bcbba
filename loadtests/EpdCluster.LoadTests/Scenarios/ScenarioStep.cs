using System.Text.Json.Serialization;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Sweeps;

namespace EpdCluster.LoadTests.Scenarios;

/// <summary>One named step of a scenario, as written in its JSON file (and copied into the result file).</summary>
internal sealed record ScenarioStep
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    [JsonPropertyName("kind")] public StepKind Kind { get; init; } = StepKind.Constant;

    /// <summary>Requests per second or "inf"; missing: the workload's timestamps if it has them, else inf.</summary>
    [JsonPropertyName("request_rate")]
    [JsonConverter(typeof(RequestRateJsonConverter))]
    public double? RequestRate { get; init; }

    [JsonPropertyName("burstiness")] public double? Burstiness { get; init; }

    [JsonPropertyName("max_concurrency")] public int? MaxConcurrency { get; init; }

    [JsonPropertyName("num_requests")] public int? NumRequests { get; init; }

    [JsonPropertyName("duration_seconds")] public double? DurationSeconds { get; init; }

    [JsonPropertyName("ramp_up")] public RampUpSpec? RampUp { get; init; }

    [JsonPropertyName("timestamp_speedup")] public double? TimestampSpeedup { get; init; }

    [JsonPropertyName("max_step_seconds")] public double? MaxStepSeconds { get; init; }

    [JsonPropertyName("sweep")] public SweepOptions? Sweep { get; init; }

    public TrafficOptions ToTraffic(double? rateOverride = null) => new()
    {
        RequestRate = rateOverride ?? RequestRate,
        Burstiness = Burstiness ?? 1.0,
        MaxConcurrency = MaxConcurrency,
        NumRequests = NumRequests,
        Duration = DurationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        RampUp = RampUp is { } ramp ? new RampUp(ramp.Strategy, ramp.StartRps, ramp.EndRps) : null,
        TimestampSpeedup = TimestampSpeedup ?? 1.0,
        MaxStepDuration = MaxStepSeconds is { } max ? TimeSpan.FromSeconds(max) : TrafficOptions.DefaultMaxStepDuration,
    };

    /// <summary>Checks the step; <paramref name="workloadHasTimestamps"/> null (not known yet) assumes a rate-less step replays timestamps.</summary>
    public void Validate(ServiceLevelObjectives? slo, bool? workloadHasTimestamps = null)
    {
        var where = $"step '{Name}'";
        if (string.IsNullOrEmpty(Name) || !Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new LoadOptionsException($"step name '{Name}' must be letters, digits, '-', '_' or '.' (it names report files).");
        }

        if (MaxStepSeconds is { } max && (!(max > 0) || double.IsInfinity(max)))
        {
            throw new LoadOptionsException($"{where}: max_step_seconds must be positive.");
        }

        switch (Kind)
        {
            case StepKind.Ramp when RampUp is null:
                throw new LoadOptionsException($"{where}: a ramp step needs \"ramp_up\": {{\"strategy\": \"linear\", \"start_rps\": ..., \"end_rps\": ...}}.");
            case StepKind.Sweep when Sweep is null:
                throw new LoadOptionsException($"{where}: a sweep step needs \"sweep\": {{\"min_rate\": ..., \"max_rate\": ...}}.");
            case StepKind.Sweep when slo is null || slo.IsEmpty:
                throw new LoadOptionsException($"{where}: a sweep needs SLOs (\"slo\" in the scenario or --goodput ttft:MS tpot:MS).");
            case StepKind.Sweep when RequestRate is not null || RampUp is not null:
                throw new LoadOptionsException($"{where}: a sweep chooses the rate itself; remove request_rate and ramp_up.");
            case not StepKind.Ramp when RampUp is not null:
                throw new LoadOptionsException($"{where}: ramp_up belongs to a ramp step (kind \"ramp\").");
            case not StepKind.Sweep when Sweep is not null:
                throw new LoadOptionsException($"{where}: sweep settings belong to a sweep step (kind \"sweep\").");
        }

        Sweep?.Validate(where);
        ToTraffic(Kind == StepKind.Sweep ? Sweep!.MinRate : null).Validate(where, workloadHasTimestamps ?? true);
    }
}
