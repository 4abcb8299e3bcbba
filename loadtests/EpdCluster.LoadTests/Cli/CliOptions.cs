using System.CommandLine;

namespace EpdCluster.LoadTests.Cli;

/// <summary>
/// Every option of <c>epd-load</c> and <c>epd-load sweep</c>. Options have no parser defaults: null means "not given", so a
/// scenario's values are kept unless an option overrides them; the documented defaults are applied in <see cref="CliBinder"/>.
/// </summary>
internal sealed class CliOptions
{
    // Target
    public Option<string> BaseUrl { get; } = new("--base-url") { Description = "Server root to load, e.g. http://127.0.0.1:8080 (the only address contacted)", Required = true };
    public Option<string?> Endpoint { get; } = new("--endpoint") { Description = "Chat completions path [default: /v1/chat/completions]" };
    public Option<string?> Model { get; } = new("--model") { Description = "Model name sent in each request [default: epd-tiny]" };
    public Option<string?> ApiKey { get; } = new("--api-key") { Description = "Bearer token [default: $OPENAI_API_KEY if set]" };
    public Option<double?> RequestTimeout { get; } = new("--request-timeout") { Description = "Seconds before an open request counts as a timeout [default: 600]" };
    public Option<bool?> IgnoreEos { get; } = new("--ignore-eos") { Description = "Send \"ignore_eos\": true so outputs are exactly max_tokens long [default: true]" };
    public Option<string?> ExtraBody { get; } = new("--extra-body") { Description = "JSON object merged into every request body, e.g. '{\"temperature\":0.7}'" };

    // Scenario
    public Option<string?> Scenario { get; } = new("--scenario") { Description = "A scenario JSON file (loadtests/scenarios/*.json); its steps replace the traffic options" };
    public Option<int?> Seed { get; } = new("--seed") { Description = "Seed for arrivals and workload [default: the scenario's, else 0]" };

    // Traffic
    public Option<string?> RequestRate { get; } = new("--request-rate") { Description = "Requests per second, or inf [default: inf, or the trace's timestamps]" };
    public Option<double?> Burstiness { get; } = new("--burstiness") { Description = "Gamma shape of inter-arrival times: 1 = Poisson, <1 burstier [default: 1]" };
    public Option<int?> MaxConcurrency { get; } = new("--max-concurrency") { Description = "Most requests in flight; arrivals beyond it wait" };
    public Option<int?> NumRequests { get; } = new("--num-requests") { Description = "Requests to send [default: 1000 unless --duration]" };
    public Option<double?> Duration { get; } = new("--duration") { Description = "Seconds to keep issuing arrivals" };
    public Option<string?> RampUpStrategy { get; } = new("--ramp-up-strategy") { Description = "linear or exponential, from --ramp-up-start-rps to --ramp-up-end-rps" };
    public Option<double?> RampUpStartRps { get; } = new("--ramp-up-start-rps") { Description = "Ramp-up start rate (req/s)" };
    public Option<double?> RampUpEndRps { get; } = new("--ramp-up-end-rps") { Description = "Ramp-up end rate (req/s)" };
    public Option<double?> MaxStepSeconds { get; } = new("--max-step-seconds") { Description = "Hard time limit of a step, drain included [default: 3600]" };

    // Workload
    public Option<string?> Dataset { get; } = new("--dataset") { Description = "Replay a dataset JSONL file (prompt, images, output_tokens, offset_ms)" };
    public Option<string?> Trace { get; } = new("--trace") { Description = "Replay a Mooncake trace JSONL file (timestamp, input_length, output_length, hash_ids)" };
    public Option<double?> TimestampSpeedup { get; } = new("--timestamp-speedup") { Description = "Replay trace/dataset timestamps this many times faster [default: 1]" };
    public Option<int?> TraceBlockTokens { get; } = new("--trace-block-tokens") { Description = "Tokens per Mooncake hash id [default: 512]" };
    public Option<string?> PromptTokens { get; } = new("--prompt-tokens") { Description = "Prompt length distribution: N, uniform:A-B, normal:M,S, choice:V=W,... [default: 1024]" };
    public Option<string?> OutputTokens { get; } = new("--output-tokens") { Description = "Output length distribution [default: 128]" };
    public Option<string?> ImagesPerRequest { get; } = new("--images-per-request") { Description = "Images per request distribution [default: 1]" };
    public Option<string?> ImageShortSide { get; } = new("--image-short-side") { Description = "Image short side in pixels, distribution [default: 448]" };
    public Option<string?> AspectRatios { get; } = new("--aspect-ratios") { Description = "Weighted aspect ratios, e.g. 1:1=2,4:3=1,16:9=1 [default: 1:1]" };
    public Option<string?> ImageFormats { get; } = new("--image-formats") { Description = "Weighted image encodings, e.g. png=1,jpeg=3 [default: png]" };
    public Option<double?> ImageReuseRatio { get; } = new("--image-reuse-ratio") { Description = "Probability an image repeats a recent one (exercises the token cache) [default: 0]" };
    public Option<int?> ImagePoolSize { get; } = new("--image-pool-size") { Description = "Recent distinct images a reuse draws from [default: 64]" };

    // SLOs and reports
    public Option<string[]> Goodput { get; } = new("--goodput") { Description = "SLOs in ms: ttft:MS tpot:MS e2el:MS", AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
    public Option<string?> PercentileMetrics { get; } = new("--percentile-metrics") { Description = "Metrics to report percentiles of [default: ttft,tpot,itl,e2el]" };
    public Option<string?> MetricPercentiles { get; } = new("--metric-percentiles") { Description = "Percentiles to report [default: 50,90,99]" };
    public Option<string?> OutputDir { get; } = new("--output-dir") { Description = "Results folder [default: load-results/<scenario>-<UTC time>]" };
    public Option<bool> NoCharts { get; } = new("--no-charts") { Description = "Skip the PNG charts" };
    public Option<string?> ChartFont { get; } = new("--chart-font") { Description = "TTF file for chart text [default: DejaVu Sans if installed]" };
    public Option<string?> Progress { get; } = new("--progress") { Description = "auto, live, plain or none [default: auto: live on a terminal, plain lines otherwise]" };

    // Sweep
    public Option<double> MinRate { get; } = new("--min-rate") { Description = "Lowest rate to probe (req/s)", Required = true };
    public Option<double> MaxRate { get; } = new("--max-rate") { Description = "Highest rate to probe (req/s)", Required = true };
    public Option<int?> MaxProbes { get; } = new("--max-probes") { Description = "Probes at most, bounds included [default: 8]" };
    public Option<double?> TargetAttainment { get; } = new("--target-attainment") { Description = "SLO attainment a rate must reach [default: 0.9, the EPD paper's]" };
    public Option<double?> RateTolerance { get; } = new("--rate-tolerance") { Description = "Stop when the bracket is within this share of its top [default: 0.05]" };

    /// <summary>Options that shape traffic: a scenario's steps own these, so they are refused with --scenario.</summary>
    public IEnumerable<Option> TrafficOptions =>
    [
        RequestRate, Burstiness, MaxConcurrency, NumRequests, Duration, RampUpStrategy, RampUpStartRps, RampUpEndRps, MaxStepSeconds, TimestampSpeedup,
    ];

    /// <summary>Options that shape the workload: a scenario's workload owns these, so they are refused with --scenario.</summary>
    public IEnumerable<Option> WorkloadOptions =>
    [
        Dataset, Trace, TraceBlockTokens, PromptTokens, OutputTokens, ImagesPerRequest, ImageShortSide, AspectRatios, ImageFormats, ImageReuseRatio, ImagePoolSize,
    ];

    public IEnumerable<Option> Common =>
    [
        BaseUrl, Endpoint, Model, ApiKey, RequestTimeout, IgnoreEos, ExtraBody, Seed, Goodput, PercentileMetrics, MetricPercentiles, OutputDir, NoCharts,
        ChartFont, Progress, .. WorkloadOptions,
        Burstiness, MaxConcurrency, NumRequests, Duration, MaxStepSeconds, TimestampSpeedup,
    ];

    public IEnumerable<Option> RunOnly => [Scenario, RequestRate, RampUpStrategy, RampUpStartRps, RampUpEndRps];

    public IEnumerable<Option> SweepOnly => [MinRate, MaxRate, MaxProbes, TargetAttainment, RateTolerance];
}
