using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>A parsed, validated <see cref="WorkloadSpec"/>.</summary>
internal sealed class WorkloadOptions
{
    /// <summary>vLLM's random dataset default input length.</summary>
    public const string DefaultPromptTokens = "1024";

    /// <summary>vLLM's random dataset default output length.</summary>
    public const string DefaultOutputTokens = "128";

    public const string DefaultImagesPerRequest = "1";

    /// <summary>InternVL's 448-pixel tile: one image is one tile at the default 1:1 ratio.</summary>
    public const string DefaultImageShortSide = "448";

    public const string DefaultAspectRatios = "1:1";

    public const string DefaultImageFormats = "png";

    /// <summary>Distinct images a reused image is drawn from: the most recent ones, like a hot set a cache should keep.</summary>
    public const int DefaultImagePoolSize = 64;

    /// <summary>Mooncake's trace format: each hash id stands for a 512-token prefix block.</summary>
    public const int DefaultTraceBlockTokens = 512;

    /// <summary>Largest image side generated; above it a PNG of random shapes costs more to make than to serve.</summary>
    public const int MaxImageSide = 4096;

    public WorkloadKind Kind { get; init; }

    public string? DatasetPath { get; init; }

    public string? TracePath { get; init; }

    public required IntDistribution PromptTokens { get; init; }

    public required IntDistribution OutputTokens { get; init; }

    public required IntDistribution ImagesPerRequest { get; init; }

    public required IntDistribution ImageShortSide { get; init; }

    public required WeightedChoice<AspectRatio> AspectRatios { get; init; }

    public required WeightedChoice<ImageFormat> ImageFormats { get; init; }

    /// <summary>Probability that an image repeats one already sent (same bytes), to exercise the server's multimodal token cache.</summary>
    public double ImageReuseRatio { get; init; }

    public int ImagePoolSize { get; init; } = DefaultImagePoolSize;

    public int TraceBlockTokens { get; init; } = DefaultTraceBlockTokens;

    /// <summary>Parses and validates <paramref name="spec"/>; relative file paths resolve against <paramref name="baseDirectory"/>.</summary>
    public static WorkloadOptions From(WorkloadSpec spec, string baseDirectory)
    {
        var kind = spec.Kind?.Trim().ToLowerInvariant() switch
        {
            null => spec.Trace is not null ? WorkloadKind.Mooncake : spec.Dataset is not null ? WorkloadKind.Dataset : WorkloadKind.Synthetic,
            "synthetic" => WorkloadKind.Synthetic,
            "dataset" => WorkloadKind.Dataset,
            "mooncake" or "trace" => WorkloadKind.Mooncake,
            var other => throw new LoadOptionsException($"workload kind '{other}' is unknown; use synthetic, dataset or mooncake."),
        };

        var options = new WorkloadOptions
        {
            Kind = kind,
            DatasetPath = Resolve(spec.Dataset, baseDirectory),
            TracePath = Resolve(spec.Trace, baseDirectory),
            PromptTokens = IntDistribution.Parse(spec.PromptTokens ?? DefaultPromptTokens, "prompt_tokens (--prompt-tokens)", 1),
            OutputTokens = IntDistribution.Parse(spec.OutputTokens ?? DefaultOutputTokens, "output_tokens (--output-tokens)", 1),
            ImagesPerRequest = IntDistribution.Parse(spec.ImagesPerRequest ?? DefaultImagesPerRequest, "images_per_request (--images-per-request)", 0),
            ImageShortSide = IntDistribution.Parse(spec.ImageShortSide ?? DefaultImageShortSide, "image_short_side (--image-short-side)", 1),
            AspectRatios = WeightedChoice<AspectRatio>.Parse(spec.AspectRatios ?? DefaultAspectRatios, "aspect_ratios (--aspect-ratios)", t => AspectRatio.Parse(t, "aspect_ratios (--aspect-ratios)")),
            ImageFormats = WeightedChoice<ImageFormat>.Parse(spec.ImageFormats ?? DefaultImageFormats, "image_formats (--image-formats)", t => Workloads.ImageFormats.Parse(t, "image_formats (--image-formats)")),
            ImageReuseRatio = spec.ImageReuseRatio ?? 0,
            ImagePoolSize = spec.ImagePoolSize ?? DefaultImagePoolSize,
            TraceBlockTokens = spec.TraceBlockTokens ?? DefaultTraceBlockTokens,
        };
        options.Validate();
        return options;
    }

    private void Validate()
    {
        if (Kind == WorkloadKind.Dataset && DatasetPath is null)
        {
            throw new LoadOptionsException("a dataset workload needs --dataset FILE.jsonl (or \"dataset\" in the scenario's workload).");
        }

        if (Kind == WorkloadKind.Mooncake && TracePath is null)
        {
            throw new LoadOptionsException("a mooncake workload needs --trace FILE.jsonl (or \"trace\" in the scenario's workload).");
        }

        foreach (var path in new[] { DatasetPath, TracePath })
        {
            if (path is not null && !File.Exists(path))
            {
                throw new LoadOptionsException($"no file at '{path}'.");
            }
        }

        if (!(ImageReuseRatio >= 0 && ImageReuseRatio <= 1))
        {
            throw new LoadOptionsException($"image_reuse_ratio (--image-reuse-ratio) must be within [0, 1] (got {ImageReuseRatio}).");
        }

        if (ImagePoolSize < 1)
        {
            throw new LoadOptionsException($"image_pool_size (--image-pool-size) must be at least 1 (got {ImagePoolSize}).");
        }

        if (TraceBlockTokens < 1)
        {
            throw new LoadOptionsException($"trace_block_tokens (--trace-block-tokens) must be at least 1 (got {TraceBlockTokens}).");
        }

        foreach (var ratio in AspectRatios.Values)
        {
            // The long side of the largest short side must stay within MaxImageSide; sample bounds are checked at generation.
            if (Math.Max(ratio.Width, ratio.Height) > MaxImageSide * Math.Min(ratio.Width, ratio.Height))
            {
                throw new LoadOptionsException($"aspect ratio {ratio} is too extreme.");
            }
        }
    }

    private static string? Resolve(string? path, string baseDirectory) =>
        path is null ? null : Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path));
}
