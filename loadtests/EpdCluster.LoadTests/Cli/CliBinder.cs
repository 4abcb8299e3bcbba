using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Metrics;
using EpdCluster.LoadTests.Scenarios;
using EpdCluster.LoadTests.Sweeps;
using EpdCluster.LoadTests.Workloads;

namespace EpdCluster.LoadTests.Cli;

/// <summary>Turns parsed options into validated settings, applying the documented defaults.</summary>
internal sealed class CliBinder(CliOptions options, ParseResult parse)
{
    /// <summary>vLLM bench serve's default seed.</summary>
    public const int DefaultSeed = 0;

    public bool Given(Option option) => parse.GetResult(option) is not null;

    public TargetOptions Target()
    {
        var baseUrl = parse.GetValue(options.BaseUrl)!;
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
        {
            throw new LoadOptionsException($"--base-url '{baseUrl}' is not an absolute URL such as http://127.0.0.1:8080.");
        }

        var target = new TargetOptions
        {
            BaseUrl = uri,
            Endpoint = parse.GetValue(options.Endpoint) ?? TargetOptions.DefaultEndpoint,
            Model = parse.GetValue(options.Model) ?? TargetOptions.DefaultModel,
            ApiKey = parse.GetValue(options.ApiKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
            RequestTimeout = parse.GetValue(options.RequestTimeout) is { } seconds ? Seconds(seconds, "--request-timeout") : TargetOptions.DefaultRequestTimeout,
            IgnoreEos = parse.GetValue(options.IgnoreEos) ?? true,
            ExtraBody = ParseExtraBody(parse.GetValue(options.ExtraBody)),
        };
        target.Validate();
        return target;
    }

    public ReportOptions Reports()
    {
        var reports = new ReportOptions
        {
            PercentileMetrics = parse.GetValue(options.PercentileMetrics) is { } metrics
                ? LatencyMetricNames.ParseList(metrics, "--percentile-metrics")
                : ReportOptions.DefaultPercentileMetrics,
            MetricPercentiles = parse.GetValue(options.MetricPercentiles) is { } percentiles
                ? ReportOptions.ParsePercentiles(percentiles)
                : ReportOptions.DefaultMetricPercentiles,
            OutputDirectory = parse.GetValue(options.OutputDir),
            Charts = !parse.GetValue(options.NoCharts),
            ChartFont = parse.GetValue(options.ChartFont),
            Progress = parse.GetValue(options.Progress) is { } progress
                ? Enum.TryParse<ProgressMode>(progress, ignoreCase: true, out var mode) ? mode : throw new LoadOptionsException($"--progress '{progress}': use auto, live, plain or none.")
                : ProgressMode.Auto,
        };
        reports.Validate();
        return reports;
    }

    public ServiceLevelObjectives? Slo() =>
        parse.GetValue(options.Goodput) is { Length: > 0 } tokens ? ServiceLevelObjectives.Parse(tokens) : null;

    public int? Seed() => parse.GetValue(options.Seed);

    public WorkloadSpec Workload() => new()
    {
        Dataset = parse.GetValue(options.Dataset),
        Trace = parse.GetValue(options.Trace),
        PromptTokens = parse.GetValue(options.PromptTokens),
        OutputTokens = parse.GetValue(options.OutputTokens),
        ImagesPerRequest = parse.GetValue(options.ImagesPerRequest),
        ImageShortSide = parse.GetValue(options.ImageShortSide),
        AspectRatios = parse.GetValue(options.AspectRatios),
        ImageFormats = parse.GetValue(options.ImageFormats),
        ImageReuseRatio = parse.GetValue(options.ImageReuseRatio),
        ImagePoolSize = parse.GetValue(options.ImagePoolSize),
        TraceBlockTokens = parse.GetValue(options.TraceBlockTokens),
    };

    /// <summary>The single step of a run without a scenario: a ramp when a ramp-up is given, otherwise constant.</summary>
    public ScenarioStep RunStep()
    {
        var strategy = parse.GetValue(options.RampUpStrategy);
        var start = parse.GetValue(options.RampUpStartRps);
        var end = parse.GetValue(options.RampUpEndRps);
        RampUpSpec? ramp = null;
        if (strategy is not null || start is not null || end is not null)
        {
            if (strategy is null || start is null || end is null)
            {
                throw new LoadOptionsException("a ramp-up needs all of --ramp-up-strategy, --ramp-up-start-rps and --ramp-up-end-rps.");
            }

            if (Given(options.RequestRate))
            {
                throw new LoadOptionsException("--request-rate and a ramp-up exclude each other: the ramp-up sets the rate.");
            }

            ramp = new RampUpSpec
            {
                Strategy = Enum.TryParse<RampUpStrategy>(strategy, ignoreCase: true, out var s) ? s : throw new LoadOptionsException($"--ramp-up-strategy '{strategy}': use linear or exponential."),
                StartRps = start.Value,
                EndRps = end.Value,
            };
        }

        return Step("main", ramp is null ? StepKind.Constant : StepKind.Ramp) with
        {
            RequestRate = ParseRate(parse.GetValue(options.RequestRate)),
            RampUp = ramp,
        };
    }

    public ScenarioStep SweepStep() => Step("sweep", StepKind.Sweep) with
    {
        Sweep = new SweepOptions
        {
            MinRate = parse.GetValue(options.MinRate),
            MaxRate = parse.GetValue(options.MaxRate),
            MaxProbes = parse.GetValue(options.MaxProbes) ?? SweepOptions.DefaultMaxProbes,
            TargetAttainment = parse.GetValue(options.TargetAttainment) ?? ServiceLevelObjectives.DefaultTargetAttainment,
            RateTolerance = parse.GetValue(options.RateTolerance) ?? SweepOptions.DefaultRateTolerance,
        },
    };

    /// <summary>vLLM's rate syntax: a positive number or "inf".</summary>
    public static double? ParseRate(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Trim().Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            return double.PositiveInfinity;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && double.IsFinite(rate)
            ? rate
            : throw new LoadOptionsException($"--request-rate '{text}' must be a positive number of requests per second or inf.");
    }

    private ScenarioStep Step(string name, StepKind kind) => new()
    {
        Name = name,
        Kind = kind,
        Burstiness = parse.GetValue(options.Burstiness),
        MaxConcurrency = parse.GetValue(options.MaxConcurrency),
        NumRequests = parse.GetValue(options.NumRequests),
        DurationSeconds = parse.GetValue(options.Duration),
        TimestampSpeedup = parse.GetValue(options.TimestampSpeedup),
        MaxStepSeconds = parse.GetValue(options.MaxStepSeconds),
    };

    private static TimeSpan Seconds(double seconds, string option) =>
        seconds > 0 && double.IsFinite(seconds) ? TimeSpan.FromSeconds(seconds) : throw new LoadOptionsException($"{option} must be a positive number of seconds.");

    private static JsonObject? ParseExtraBody(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new LoadOptionsException("--extra-body must be a JSON object, e.g. '{\"temperature\":0.7}'.");
        }
        catch (JsonException e)
        {
            throw new LoadOptionsException($"--extra-body is not valid JSON: {e.Message}");
        }
    }
}
