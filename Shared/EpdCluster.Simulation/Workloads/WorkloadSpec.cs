using System.Text.Json;
using System.Text.Json.Nodes;

namespace EpdCluster.Simulation.Workloads;

/// <summary>
/// The shape of the traffic: distributions of text tokens, output tokens, images per request and tiles per image, in
/// the load generator's notation. A file is either a bare workload object or a load-test scenario, whose
/// <c>workload</c> (and <c>slo</c>: <c>ttft_ms</c>, <c>tpot_ms</c>) it reads; fields it does not model are ignored.
/// </summary>
public sealed class WorkloadSpec
{
    /// <summary>Tiles an image becomes when a file does not say: a 2×2 grid plus the thumbnail (a 448-px square image).</summary>
    public const string DefaultTilesPerImage = "5";

    public IntDistribution PromptTokens { get; init; } = IntDistribution.Fixed(128);

    public IntDistribution OutputTokens { get; init; } = IntDistribution.Fixed(64);

    public IntDistribution ImagesPerRequest { get; init; } = IntDistribution.Fixed(1);

    public IntDistribution TilesPerImage { get; init; } = IntDistribution.Parse(DefaultTilesPerImage, "tiles_per_image");

    /// <summary>The scenario's SLO when the file carries one.</summary>
    public Slo? Slo { get; init; }

    /// <summary>
    /// <paramref name="count"/> requests with Poisson arrivals at <paramref name="rate"/> per second. The same seed
    /// gives the same requests at every rate (arrival times scale), so runs at different rates and splits compare
    /// on common random numbers.
    /// </summary>
    public IReadOnlyList<SimRequest> Generate(int count, double rate, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        var random = new Random(seed);
        var requests = new List<SimRequest>(count);
        var unitTime = 0.0;
        for (var i = 0; i < count; i++)
        {
            unitTime += -Math.Log(1 - random.NextDouble());
            requests.Add(Next(random, i, unitTime / rate));
        }

        return requests;
    }

    /// <summary>Poisson arrivals at <paramref name="rate"/> from <paramref name="startSeconds"/> until <paramref name="endSeconds"/>, ids from <paramref name="firstId"/> (a phase of a run).</summary>
    public IReadOnlyList<SimRequest> GenerateBetween(double startSeconds, double endSeconds, double rate, int seed, int firstId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        var random = new Random(seed);
        var requests = new List<SimRequest>();
        for (var time = startSeconds - (Math.Log(1 - random.NextDouble()) / rate); time < endSeconds; time -= Math.Log(1 - random.NextDouble()) / rate)
        {
            requests.Add(Next(random, firstId + requests.Count, time));
        }

        return requests;
    }

    private SimRequest Next(Random random, int id, double arrivalSeconds)
    {
        var images = ImagesPerRequest.Sample(random);
        var tiles = Enumerable.Range(0, images).Sum(_ => TilesPerImage.Sample(random));
        return new SimRequest(id, arrivalSeconds, PromptTokens.Sample(random), tiles, OutputTokens.Sample(random));
    }

    public static WorkloadSpec Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
            ?? throw new InvalidDataException($"{path} is empty.");
        var workload = root["workload"] ?? root;
        var slo = root["slo"] is { } s && s["ttft_ms"] is { } ttft && s["tpot_ms"] is { } tpot
            ? new Slo(ttft.GetValue<double>() / 1000, tpot.GetValue<double>() / 1000)
            : null;
        return new WorkloadSpec
        {
            PromptTokens = Read(workload, "prompt_tokens", "128", 1),
            OutputTokens = Read(workload, "output_tokens", "64", 1),
            ImagesPerRequest = Read(workload, "images_per_request", "1", 0),
            TilesPerImage = Read(workload, "tiles_per_image", DefaultTilesPerImage, 1),
            Slo = slo,
        };
    }

    private static IntDistribution Read(JsonNode workload, string field, string fallback, int minimum) =>
        IntDistribution.Parse(workload[field]?.ToString() ?? fallback, field, minimum);
}
