using System.Diagnostics;
using System.Globalization;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;
using EpdCluster.Engine.Weights;
using EpdCluster.Simulation.Profiles;
using static TorchSharp.torch;

namespace EpdCluster.Bench;

/// <summary>
/// <c>./epd profile</c>: measures this machine's engine step by step — encoder steps by tiles in the batch, prefill
/// steps by prompt tokens, decode steps by batch size, the direct KV channel's latency and throughput — and writes
/// the timing profile the planner and the simulation replay. Medians of repeated runs after a warm-up.
/// </summary>
internal static class ProfileMeasurement
{
    private static readonly int[] EncodeBatches = [1, 2, 4, 8];
    private static readonly int[] PrefillTokens = [16, 64, 256, 1024, 2048];
    private static readonly int[] DecodeBatches = [1, 2, 4, 8, 16, 32];

    /// <summary>A small and a large KV transfer: their difference gives throughput, the small one's rest the fixed cost.</summary>
    private const int SmallTransferBytes = 256 * 1024;
    private const int LargeTransferBytes = 8 * 1024 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var config = args.Contains("epd-small") ? EpdModelConfig.Small : EpdModelConfig.Tiny;
        var quick = args.Contains("--quick");
        var outIndex = Array.IndexOf(args, "--out");
        var path = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : $"{config.Name}-profile.json";
        var rounds = quick ? 2 : 5;

        using var model = new MultimodalModel(config);
        DummyWeights.Initialize(model, seed: 0);
        model.eval();
        var options = new EngineOptions();
        using var engine = new AggregatedEngine(model, options, VocabularyRules.ForTokenizer(EpdTokenizer.Shared));

        var encode = new List<double[]>();
        foreach (var tiles in EncodeBatches.Where(t => t <= options.MaxEncoderBatchTiles))
        {
            BenchReport.Progress($"encode step, {tiles} tiles");
            var pixels = new float[tiles * 3 * config.Vision.ImageSize * config.Vision.ImageSize];
            encode.Add([tiles, await MedianSeconds(() => engine.Encoder.EncodeTilesAsync(pixels, tiles), rounds)]);
        }

        var prefill = new List<double[]>();
        var random = new Random(2);
        foreach (var tokens in PrefillTokens.Where(t => t <= options.MaxBatchTokens))
        {
            BenchReport.Progress($"prefill step, {tokens} tokens");
            prefill.Add([tokens, await MedianSeconds(() => Drain(engine.GenerateAsync(new PromptTokens([.. Enumerable.Range(0, tokens).Select(_ => random.Next(0, 50000))], []), [], SamplingParams.Greedy(1))), rounds)]);
        }

        var decode = new List<double[]>();
        foreach (var batch in DecodeBatches.Where(b => b <= options.MaxBatchSize))
        {
            BenchReport.Progress($"decode step, batch {batch}");
            var (_, stepSeconds) = await EngineBenchmark.DecodeTokensPerSecond(engine, batch, quick ? 16 : 32);
            decode.Add([batch, stepSeconds]);
        }

        BenchReport.Progress("KV transfer over the direct channel");
        var (small, _, _) = await TransferBenchmark.KvVersusRawSocket(SmallTransferBytes, rounds * 4);
        var (large, _, _) = await TransferBenchmark.KvVersusRawSocket(LargeTransferBytes, rounds * 2);
        var bytesPerSecond = (LargeTransferBytes - SmallTransferBytes) / Math.Max(large - small, 1e-9);
        var blockBytes = PagedKvCache.BlockBytes(config.Text, options.BlockSize);

        var profile = new EngineProfile
        {
            Name = $"{config.Name}-cpu",
            Source = string.Create(CultureInfo.InvariantCulture, $"measured by ./epd profile on {Environment.MachineName} ({Environment.ProcessorCount} cores, {get_num_threads()} torch threads) at {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, dummy weights"),
            TokensPerTile = config.TokensPerTile,
            BlockSize = options.BlockSize,
            KvBlocks = (int)(options.KvCacheBytes / blockBytes),
            KvBytesPerToken = blockBytes / options.BlockSize,
            MaxEncodeBatchTiles = options.MaxEncoderBatchTiles,
            MaxBatchTokens = options.MaxBatchTokens,
            MaxBatchSize = options.MaxBatchSize,
            EncodeStepSeconds = [.. encode],
            PrefillStepSeconds = [.. prefill],
            DecodeStepSeconds = [.. decode],
            KvTransferBytesPerSecond = bytesPerSecond,
            KvTransferLatencySeconds = Math.Max(0, small - (SmallTransferBytes / bytesPerSecond)),
        };
        profile.Validate();
        await File.WriteAllTextAsync(path, profile.ToJson());
        BenchReport.Figure("encode_step_ms_8_tiles", encode[^1][1] * 1000);
        BenchReport.Figure("prefill_step_ms_2048_tokens", prefill[^1][1] * 1000);
        BenchReport.Figure("decode_step_ms_batch32", decode[^1][1] * 1000);
        BenchReport.Figure("kv_transfer_mb_per_s", bytesPerSecond / (1024 * 1024));
        BenchReport.Progress($"profile written to {path}");
        return 0;
    }

    private static async Task<double> MedianSeconds(Func<Task> run, int rounds)
    {
        await run(); // warm-up
        var samples = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await run();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        samples.Sort();
        return samples[samples.Count / 2];
    }

    private static async Task Drain(IAsyncEnumerable<GeneratedToken> stream)
    {
        await foreach (var _ in stream)
        {
        }
    }
}
