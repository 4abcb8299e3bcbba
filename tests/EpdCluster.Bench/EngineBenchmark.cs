using System.Diagnostics;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;
using EpdCluster.Engine.Weights;
using static TorchSharp.torch;

namespace EpdCluster.Bench;

/// <summary>
/// <c>./epd bench engine</c>: encoder, prefill and decode throughput of the aggregated engine, decode batching
/// speed-up, and how close a decode step comes to the bare matrix products it must do (same shapes, same run).
/// </summary>
internal static class EngineBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var config = args.Contains("epd-small") ? EpdModelConfig.Small : EpdModelConfig.Tiny;
        var quick = args.Contains("--quick");
        var decodeTokens = quick ? 16 : 48;
        BenchReport.Progress($"model {config.Name}, {get_num_threads()} torch threads");

        using var model = new MultimodalModel(config);
        DummyWeights.Initialize(model, seed: 0);
        model.eval();
        var tokenizer = EpdTokenizer.Shared;
        var options = new EngineOptions { KvCacheBytes = 512L * 1024 * 1024, MaxBatchSize = 32 };
        using var engine = new AggregatedEngine(model, options, VocabularyRules.ForTokenizer(tokenizer));

        foreach (var tiles in new[] { 1, 8 })
        {
            BenchReport.Progress($"encode, batch {tiles}");
            BenchReport.Figure($"encode_tiles_per_s_batch{tiles}", await EncodeTilesPerSecond(engine, tiles, quick ? 2 : 5));
        }

        BenchReport.Progress("prefill");
        BenchReport.Figure("prefill_tokens_per_s", await PrefillTokensPerSecond(engine, promptTokens: 512, requests: quick ? 2 : 4));

        var decodeRates = new Dictionary<int, double>();
        var stepSeconds = new Dictionary<int, double>();
        foreach (var batch in new[] { 1, 4, 16, 32 })
        {
            BenchReport.Progress($"decode, batch {batch}");
            (decodeRates[batch], stepSeconds[batch]) = await DecodeTokensPerSecond(engine, batch, decodeTokens);
            BenchReport.Figure($"decode_tokens_per_s_batch{batch}", decodeRates[batch]);
        }

        BenchReport.Figure("decode_batch16_speedup", decodeRates[16] / decodeRates[1], "throughput at batch 16 / batch 1; goal >= 4");
        BenchReport.Figure("decode_step_ms_batch16", stepSeconds[16] * 1000);
        var floor = GemmFloorSeconds(config, batch: 16);
        BenchReport.Figure("decode_gemm_floor_ms_batch16", floor * 1000, "the step's matrix products alone, same shapes");
        BenchReport.Figure("decode_step_vs_gemm_floor", stepSeconds[16] / floor, "goal <= 1.3");
        BenchReport.Figure("kv_block_bytes", PagedKvCache.BlockBytes(config.Text, options.BlockSize));
        return 0;
    }

    private static async Task<double> EncodeTilesPerSecond(AggregatedEngine engine, int tiles, int rounds)
    {
        var pixels = new float[tiles * 3 * 224 * 224];
        await engine.Encoder.EncodeTilesAsync(pixels, tiles); // warm-up
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
        {
            await engine.Encoder.EncodeTilesAsync(pixels, tiles);
        }

        return tiles * rounds / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> PrefillTokensPerSecond(AggregatedEngine engine, int promptTokens, int requests)
    {
        var random = new Random(2);
        PromptTokens Prompt() => new(Enumerable.Range(0, promptTokens).Select(_ => random.Next(0, 50000)).ToArray(), []);
        await Drain(engine.GenerateAsync(Prompt(), [], SamplingParams.Greedy(1)));
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < requests; i++)
        {
            await Drain(engine.GenerateAsync(Prompt(), [], SamplingParams.Greedy(1)));
        }

        return promptTokens * requests / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Decode throughput once every sequence has its first token, and the mean step time then.</summary>
    internal static async Task<(double TokensPerSecond, double StepSeconds)> DecodeTokensPerSecond(AggregatedEngine engine, int batch, int tokens)
    {
        var random = new Random(3);
        var sampling = SamplingParams.Greedy(tokens) with { IgnoreStopTokens = true };
        await Drain(engine.GenerateAsync(new PromptTokens([1, 2, 3], []), [], SamplingParams.Greedy(2))); // warm-up

        var firstTokens = new CountdownEvent(batch);
        var steadyStart = new TaskCompletionSource<(long Steps, long Ticks)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(() =>
        {
            firstTokens.Wait();
            steadyStart.SetResult((engine.Llm.Stats.Steps, Stopwatch.GetTimestamp()));
        });
        var runs = Enumerable.Range(0, batch).Select(async _ =>
        {
            var prompt = new PromptTokens(Enumerable.Range(0, 16).Select(_ => random.Next(0, 50000)).ToArray(), []);
            var first = true;
            await foreach (var token in engine.GenerateAsync(prompt, [], sampling))
            {
                if (first)
                {
                    first = false;
                    firstTokens.Signal();
                }
            }
        }).ToList();
        await Task.WhenAll(runs);
        var end = Stopwatch.GetTimestamp();
        var (stepsAtStart, ticksAtStart) = await steadyStart.Task;
        var seconds = Stopwatch.GetElapsedTime(ticksAtStart, end).TotalSeconds;
        var steps = Math.Max(1, engine.Llm.Stats.Steps - stepsAtStart);
        return (batch * (tokens - 1) / seconds, seconds / steps);
    }

    /// <summary>Time of one decode step's matrix products for <paramref name="batch"/> tokens, run bare (median of many).</summary>
    private static double GemmFloorSeconds(EpdModelConfig config, int batch)
    {
        var text = config.Text;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(batch, text.HiddenSize);
        var attention = randn(batch, text.NumAttentionHeads * text.HeadDim);
        var mlpHidden = randn(batch, text.IntermediateSize);
        // The engine's serving shapes: q, k and v in one product, gate and up in one product.
        var qkv = randn((text.NumAttentionHeads + (2 * text.NumKeyValueHeads)) * text.HeadDim, text.HiddenSize);
        var o = randn(text.HiddenSize, text.NumAttentionHeads * text.HeadDim);
        var gateUp = randn(2 * text.IntermediateSize, text.HiddenSize);
        var down = randn(text.HiddenSize, text.IntermediateSize);
        var head = randn(text.VocabSize, text.HiddenSize);

        void Step()
        {
            using var inner = NewDisposeScope();
            for (var layer = 0; layer < text.NumHiddenLayers; layer++)
            {
                nn.functional.linear(x, qkv);
                nn.functional.linear(attention, o);
                nn.functional.linear(x, gateUp);
                nn.functional.linear(mlpHidden, down);
            }

            nn.functional.linear(x, head);
        }

        for (var i = 0; i < 5; i++)
        {
            Step();
        }

        var samples = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            var start = Stopwatch.GetTimestamp();
            Step();
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
