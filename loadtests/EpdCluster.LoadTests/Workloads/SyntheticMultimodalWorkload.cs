using System.Collections.Concurrent;
using System.Text;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>
/// Requests from distributions: prompt and output lengths, images per request, image short side, aspect ratio and format.
/// With <see cref="WorkloadOptions.ImageReuseRatio"/> r, each image repeats one of the last <see cref="WorkloadOptions.ImagePoolSize"/>
/// distinct images with probability r (byte-identical, so a server-side image cache can hit). One seeded generator, read in order.
/// </summary>
internal sealed class SyntheticMultimodalWorkload : IWorkload
{
    private readonly WorkloadOptions _options;
    private readonly Random _random;
    private readonly List<SyntheticImageSpec> _pool = [];
    private readonly ConcurrentDictionary<SyntheticImageSpec, Lazy<string>> _rendered = new();
    private int _next;
    private LoadRequest? _peeked;

    public SyntheticMultimodalWorkload(WorkloadOptions options, int seed)
    {
        _options = options;
        _random = new Random(seed);
    }

    public string Description => FormattableString.Invariant(
        $"synthetic: prompt tokens {_options.PromptTokens}, output tokens {_options.OutputTokens}, images {_options.ImagesPerRequest}, short side {_options.ImageShortSide}, aspect {_options.AspectRatios}, format {_options.ImageFormats}, reuse {_options.ImageReuseRatio}");

    public bool HasTimestamps => false;

    /// <summary>Images sent so far that repeated an earlier one, and all images sent: their ratio approaches the reuse ratio.</summary>
    public (int Reused, int Total) ImageCounts { get; private set; }

    public LoadRequest Next()
    {
        var request = Peek();
        _peeked = null;
        return request;
    }

    public LoadRequest Peek() => _peeked ??= Generate();

    private LoadRequest Generate()
    {
        var promptTokens = _options.PromptTokens.Sample(_random);
        var maxTokens = _options.OutputTokens.Sample(_random);
        var imageCount = _options.ImagesPerRequest.Sample(_random);
        var images = new List<IRequestImage>(imageCount);
        for (var i = 0; i < imageCount; i++)
        {
            images.Add(new SyntheticImage(NextImage(), _rendered));
        }

        var prompt = new StringBuilder();
        PromptText.AppendWords(prompt, _random, promptTokens);
        return new LoadRequest(_next++, prompt.ToString(), images, maxTokens, TimestampSeconds: null);
    }

    private SyntheticImageSpec NextImage()
    {
        var (reused, total) = ImageCounts;
        if (_pool.Count > 0 && _random.NextDouble() < _options.ImageReuseRatio)
        {
            ImageCounts = (reused + 1, total + 1);
            return _pool[_random.Next(_pool.Count)];
        }

        var shortSide = _options.ImageShortSide.Sample(_random);
        var (width, height) = _options.AspectRatios.Sample(_random).SizeFor(shortSide);
        if (Math.Max(width, height) > WorkloadOptions.MaxImageSide)
        {
            throw new LoadOptionsException($"a synthetic image of {width}x{height} exceeds {WorkloadOptions.MaxImageSide} pixels on a side; lower the image short side or the aspect ratios.");
        }

        var spec = new SyntheticImageSpec(_random.Next(), width, height, _options.ImageFormats.Sample(_random));
        ImageCounts = (reused, total + 1);
        if (_options.ImageReuseRatio > 0)
        {
            _pool.Add(spec);
            _rendered.TryAdd(spec, new Lazy<string>(() => SyntheticImageRenderer.ToDataUrl(spec)));
            if (_pool.Count > _options.ImagePoolSize)
            {
                _rendered.TryRemove(_pool[0], out _);
                _pool.RemoveAt(0);
            }
        }

        return spec;
    }

    LoadRequest? IWorkload.Next() => Next();

    LoadRequest? IWorkload.Peek() => Peek();
}
