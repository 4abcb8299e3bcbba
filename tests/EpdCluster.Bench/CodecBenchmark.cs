using System.Globalization;
using System.Runtime.InteropServices;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Text;
using EpdCluster.Training.Data;
using EpdCluster.Training.Evaluation;
using EpdCluster.Transfer.Kv.Codecs;
using static TorchSharp.torch;

namespace EpdCluster.Bench;

/// <summary>
/// <c>./epd bench codecs</c>: every KV codec on the same held-out generated scene questions (one image of 1–7 tiles and
/// a question with a known answer), against the uncompressed cache of the same run. Per codec: held-out answer accuracy
/// (greedy decoding from the decoded cache) next to the uncompressed one, bytes vs fp16, K and V relative
/// reconstruction error, attention-output relative error (the prompt's last queries standing in for decode queries),
/// and — teacher-forced over the uncompressed run's greedy continuation — next-token agreement and mean KL divergence.
/// epd-tiny runs the shipped trained checkpoint; epd-small has dummy weights only (flat distributions, so its agreement
/// and accuracy say little; docs/kv-compression.md).
/// </summary>
internal static class CodecBenchmark
{
    private const int DecodeSteps = 64;
    private const int BlockSize = 16;

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var prompts = quick ? 6 : 50;
        var named = args.SkipWhile(a => a != "--model").Skip(1).FirstOrDefault();
        var configs = named is null ? [EpdModelConfig.Tiny, EpdModelConfig.Small] : new[] { EpdModelConfig.ForName(named) ?? throw new ArgumentException($"unknown model {named}") };
        foreach (var config in configs)
        {
            await Task.Run(() => Run(config, prompts));
        }

        return 0;
    }

    private static void Run(EpdModelConfig config, int promptCount)
    {
        var options = new ModelOptions { Name = config.Name };
        var weights = options.ShippedCheckpointDirectory() is null ? "dummy weights" : "the shipped trained checkpoint";
        BenchReport.Progress($"model {config.Name} ({weights}), {promptCount} prompts, {DecodeSteps} teacher-forced steps each");
        using var model = options.Load();
        var codecs = Codecs();
        var totals = codecs.ToDictionary(c => c.Name, _ => new CodecTotals());
        var scenes = new SceneExampleFactory(config);
        var tokens = new List<int>();
        for (var p = 0; p < promptCount; p++)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var prompt = Prompt(model, scenes.Create(DataSplit.HeldOut, p));
            tokens.Add(prompt.Ids.Length);
            var run = new PromptRun(model, prompt);
            foreach (var codec in codecs)
            {
                run.Measure(codec, totals[codec.Name]);
            }

            BenchReport.Progress($"{config.Name}: prompt {p + 1}/{promptCount} ({prompt.Ids.Length} tokens, {prompt.Example.Image.TileCount} tiles)");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {config.Name} ({weights}): {promptCount} held-out scene questions, {tokens.Min()}–{tokens.Max()} tokens (mean {tokens.Average():F0}), image tokens {totals.Values.First().ImageShare:P0}"));
        var uncompressed = totals["none"].Accuracy;
        foreach (var codec in codecs)
        {
            Console.WriteLine(totals[codec.Name].Line($"codec_{config.Name}_{codec.Name}", uncompressed));
        }
    }

    /// <summary>
    /// The codecs measured: lossless baselines, KIVI at 4 and 2 bits, ZipCache, LOOK-M alone and over KIVI — and KIVI
    /// without its full-precision residual (<c>-r0</c>), which on short prompts is most of the payload.
    /// </summary>
    private static List<(string Name, KvCompressor Compressor, KvCodecSpec Spec)> Codecs()
    {
        var defaults = new KvCompressor(new KvCodecOptions());
        var twoBit = new KvCompressor(new KvCodecOptions { KiviBits = 2 });
        var noResidual = new KvCompressor(new KvCodecOptions { ResidualTokens = 0 });
        return
        [
            ("none", defaults, KvCodecSpec.Parse("none")),
            ("none-f16", defaults, KvCodecSpec.Parse("none-f16")),
            ("none-f16+lz4", defaults, KvCodecSpec.Parse("none-f16+lz4")),
            ("kivi4", defaults, KvCodecSpec.Parse("kivi")),
            ("kivi4+lz4", defaults, KvCodecSpec.Parse("kivi+lz4")),
            ("kivi4-r0", noResidual, KvCodecSpec.Parse("kivi")),
            ("kivi2", twoBit, KvCodecSpec.Parse("kivi")),
            ("zipcache", defaults, KvCodecSpec.Parse("zipcache")),
            ("lookm+none-f16", defaults, KvCodecSpec.Parse("lookm+none-f16")),
            ("lookm+kivi4", defaults, KvCodecSpec.Parse("lookm+kivi")),
            ("lookm+kivi4-r0", noResidual, KvCodecSpec.Parse("lookm+kivi")),
            ("lookm+kivi2", twoBit, KvCodecSpec.Parse("lookm+kivi")),
        ];
    }

    /// <summary>A held-out scene question rendered and embedded exactly as served.</summary>
    private static BenchPrompt Prompt(MultimodalModel model, SceneExample example)
    {
        var rendered = example.Prompt;
        var image = example.Image;
        var ids = tensor(rendered.Ids.Select(i => (long)i).ToArray(), int64);
        var positions = rendered.ImageSpans.SelectMany(s => Enumerable.Range(s.Start, s.TokenCount)).Select(p => (long)p).ToArray();
        var embeddings = model.EncodeTiles(tensor(image.Pixels, [image.TileCount, 3, image.TileSize, image.TileSize]));
        var flags = new bool[rendered.Ids.Length];
        foreach (var p in positions)
        {
            flags[p] = true;
        }

        return new BenchPrompt(rendered.Ids, model.EmbedPrompt(ids, tensor(positions, int64), embeddings), flags, example);
    }

    private sealed record BenchPrompt(int[] Ids, Tensor Embeddings, bool[] ImageTokens, SceneExample Example);

    /// <summary>One prompt prefilled once: its uncompressed KV with saliency, greedy continuation and reference logits.</summary>
    private sealed class PromptRun
    {
        private readonly MultimodalModel _model;
        private readonly KvSnapshot _kv;
        private readonly long[] _teacher;
        private readonly Tensor _referenceLogProbs;
        private readonly Tensor _referenceTop;
        private readonly float[][] _lastQueries;
        private readonly bool[] _imageTokens;
        private readonly SceneExample _example;
        private readonly long _first;

        public PromptRun(MultimodalModel model, BenchPrompt prompt)
        {
            _model = model;
            _imageTokens = prompt.ImageTokens;
            _example = prompt.Example;
            var text = model.Config.Text;
            var tokens = prompt.Ids.Length;
            var probes = new KvProbeSettings(new KvCodecOptions().ProbeRecentFraction, new KvCodecOptions().ProbeRandomFraction).Positions(tokens, seed: tokens);
            var width = text.NumAttentionHeads * text.HeadDim;
            var queries = new float[text.NumHiddenLayers][];
            using var cache = new PagedKvCache(text, totalBlocks: ((tokens + DecodeSteps) / BlockSize) + 2, BlockSize);
            var blocks = Enumerable.Range(0, cache.TotalBlocks).ToArray();
            var probeRows = tensor(probes.Select(p => (long)p).ToArray(), int64);
            var hidden = model.ForwardPaged(prompt.Embeddings, PagedBatchLayout.Build([new SequenceSlice(0, tokens, blocks)], BlockSize), cache,
                (layer, q) => queries[layer] = q.index_select(0, probeRows).contiguous().data<float>().ToArray());
            var first = model.Logits(hidden[-1]).argmax().item<long>();
            _first = first;

            var data = new float[cache.Layout.FloatsFor(tokens)];
            cache.ExportBlocks(blocks[..cache.Layout.BlocksFor(tokens)], MemoryMarshal.AsBytes(data.AsSpan()));
            var saliency = KvSaliencyEstimator.Estimate(cache, blocks[..cache.Layout.BlocksFor(tokens)], tokens, probes, queries, text.NumAttentionHeads);
            _kv = new KvSnapshot(cache.Layout, tokens, tokens, data) { Saliency = saliency, ImageTokens = prompt.ImageTokens };

            // The last 5 % of probes are the prompt's final positions: stand-ins for decode queries.
            var recent = probes.Count(p => p >= tokens - (int)Math.Ceiling(new KvCodecOptions().ProbeRecentFraction * tokens));
            _lastQueries = [.. queries.Select(q => q[((probes.Length - recent) * width)..])];

            // Greedy continuation on the uncompressed cache, one token per step: the teacher for every codec.
            var teacher = new List<long> { first };
            for (var step = 0; step < DecodeSteps - 1; step++)
            {
                var layout = PagedBatchLayout.Build([new SequenceSlice(tokens + step, 1, blocks)], BlockSize);
                var next = model.Logits(model.ForwardPaged(model.EmbedPrompt(tensor(new[] { teacher[^1] }), null, null), layout, cache))[-1];
                teacher.Add(next.argmax().item<long>());
            }

            _teacher = [.. teacher];
            var reference = TeacherForced(_kv);
            _referenceLogProbs = reference.log_softmax(-1);
            _referenceTop = reference.argmax(-1);
        }

        public void Measure((string Name, KvCompressor Compressor, KvCodecSpec Spec) codec, CodecTotals totals)
        {
            var (encoding, bytes) = codec.Compressor.Encode(_kv, codec.Spec);
            var decoded = codec.Compressor.Decode(encoding, bytes, _kv.Layout);
            totals.Bytes += bytes.Length;
            totals.Fp16Bytes += (long)_kv.Tokens * _kv.Layout.Layers * 2 * _kv.Layout.Channels * sizeof(ushort);
            totals.Tokens += _kv.Tokens;
            totals.ImageTokens += _imageTokens.Count(i => i);
            if (decoded.Slots == _kv.Slots)
            {
                AddError(decoded, kind: 0, ref totals.KeyErrorSquares, ref totals.KeySquares);
                AddError(decoded, kind: 1, ref totals.ValueErrorSquares, ref totals.ValueSquares);
            }

            var (error, norm) = AttentionError(decoded);
            totals.AttentionErrorSquares += error;
            totals.AttentionSquares += norm;
            var logits = TeacherForced(decoded);
            totals.Agreements += logits.argmax(-1).eq(_referenceTop).sum().item<long>();
            totals.Steps += DecodeSteps;
            var logProbs = logits.log_softmax(-1);
            totals.KlSum += (_referenceLogProbs.exp() * (_referenceLogProbs - logProbs)).sum().item<float>();
            totals.Questions++;
            totals.Correct += _example.Question.IsAnsweredBy(GreedyReply(decoded)) ? 1 : 0;
        }

        /// <summary>
        /// The reply decoded greedily from <paramref name="kv"/>, as a decode worker would: the first token is the prefill's
        /// (sampled before compression), then one step per token until the end of turn or the evaluator's reply limit.
        /// </summary>
        private string GreedyReply(KvSnapshot kv)
        {
            using var cache = new PagedKvCache(_model.Config.Text, totalBlocks: kv.Layout.BlocksFor(kv.Slots + ServedAnswerEvaluator.MaxReplyTokens), BlockSize);
            var blocks = Enumerable.Range(0, cache.TotalBlocks).ToArray();
            cache.ImportBlocks(blocks[..kv.Blocks], MemoryMarshal.AsBytes(kv.Data.AsSpan()));
            var reply = new List<int>();
            var next = _first;
            for (var step = 0; step < ServedAnswerEvaluator.MaxReplyTokens && next != EpdTokenizer.ImEndId && next != EpdTokenizer.EndOfTextId; step++)
            {
                reply.Add((int)next);
                var layout = PagedBatchLayout.Build([new SequenceSlice(kv.Slots + step, 1, blocks, kv.PositionOffset)], BlockSize);
                next = _model.Logits(_model.ForwardPaged(_model.EmbedPrompt(tensor(new[] { next }), null, null), layout, cache))[-1].argmax().item<long>();
            }

            return EpdTokenizer.Shared.Decode(reply);
        }

        /// <summary>Logits of the teacher's 64 tokens fed in one chunk after <paramref name="kv"/> (at its positions).</summary>
        private Tensor TeacherForced(KvSnapshot kv)
        {
            using var cache = new PagedKvCache(_model.Config.Text, totalBlocks: kv.Layout.BlocksFor(kv.Slots + DecodeSteps), BlockSize);
            var blocks = Enumerable.Range(0, cache.TotalBlocks).ToArray();
            cache.ImportBlocks(blocks[..kv.Blocks], MemoryMarshal.AsBytes(kv.Data.AsSpan()));
            var layout = PagedBatchLayout.Build([new SequenceSlice(kv.Slots, DecodeSteps, blocks, kv.PositionOffset)], BlockSize);
            var embeddings = _model.EmbedPrompt(tensor(_teacher), null, null);
            return _model.Logits(_model.ForwardPaged(embeddings, layout, cache));
        }

        private void AddError(KvSnapshot decoded, int kind, ref double errorSquares, ref double squares)
        {
            for (var slot = 0; slot < _kv.Slots; slot++)
            {
                for (var layer = 0; layer < _kv.Layout.Layers; layer++)
                {
                    var original = _kv.Vector(slot, layer, kind);
                    var restored = decoded.Vector(slot, layer, kind);
                    for (var c = 0; c < original.Length; c++)
                    {
                        errorSquares += (double)(original[c] - restored[c]) * (original[c] - restored[c]);
                        squares += (double)original[c] * original[c];
                    }
                }
            }
        }

        /// <summary>Σ‖o' − o‖² and Σ‖o‖² of softmax(q·Kᵀ/√d)·V over every cached slot, per layer, for the last prompt queries.</summary>
        private (double Error, double Norm) AttentionError(KvSnapshot decoded)
        {
            var (error, norm) = (0.0, 0.0);
            var text = _model.Config.Text;
            for (var layer = 0; layer < text.NumHiddenLayers; layer++)
            {
                // Scaled by 1/√d here, in C#: a Scalar argument per call can be finalized mid-call under GC pressure.
                var scaled = _lastQueries[layer].Select(x => x / MathF.Sqrt(text.HeadDim)).ToArray();
                var q = tensor(scaled, [scaled.Length / (text.NumAttentionHeads * text.HeadDim), text.NumAttentionHeads, text.HeadDim]);
                var expected = Attend(q, _kv, layer);
                var actual = Attend(q, decoded, layer);
                error += (actual - expected).square().sum().item<float>();
                norm += expected.square().sum().item<float>();
            }

            return (error, norm);
        }

        private Tensor Attend(Tensor q, KvSnapshot kv, int layer)
        {
            var (heads, kvHeads, dim) = (q.shape[1], kv.Layout.KvHeads, kv.Layout.HeadDim);
            var keys = tensor(Plane(kv, layer, 0), [kv.Slots, kvHeads, dim]).permute(1, 2, 0); // [kvH, d, T]
            var values = tensor(Plane(kv, layer, 1), [kv.Slots, kvHeads, dim]).permute(1, 0, 2); // [kvH, T, d]
            var groups = heads / kvHeads;
            var folded = q.view(-1, kvHeads, groups, dim).permute(1, 2, 0, 3).reshape(kvHeads, -1, dim);
            return matmul(matmul(folded, keys).softmax(-1), values);
        }

        private static float[] Plane(KvSnapshot kv, int layer, int kind)
        {
            var plane = new float[kv.Slots * kv.Layout.Channels];
            for (var slot = 0; slot < kv.Slots; slot++)
            {
                kv.Vector(slot, layer, kind).CopyTo(plane.AsSpan(slot * kv.Layout.Channels));
            }

            return plane;
        }
    }

    private sealed class CodecTotals
    {
        public long Bytes;
        public long Fp16Bytes;
        public long Tokens;
        public long ImageTokens;
        public double KeyErrorSquares;
        public double KeySquares;
        public double ValueErrorSquares;
        public double ValueSquares;
        public double AttentionErrorSquares;
        public double AttentionSquares;
        public long Agreements;
        public long Steps;
        public double KlSum;
        public int Questions;
        public int Correct;

        public double ImageShare => (double)ImageTokens / Tokens;

        public double Accuracy => (double)Correct / Questions;

        public string Line(string name, double uncompressedAccuracy)
        {
            static string Error(double squares, double norm) => norm == 0 ? "n/a" : Math.Sqrt(squares / norm).ToString("F4", CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture,
                $"{name}: answer_accuracy {100 * Accuracy:F1}% (uncompressed {100 * uncompressedAccuracy:F1}%)  ratio_vs_fp16 {(double)Fp16Bytes / Bytes:F2}x  k_rel_err {Error(KeyErrorSquares, KeySquares)}  v_rel_err {Error(ValueErrorSquares, ValueSquares)}  attn_rel_err {Error(AttentionErrorSquares, AttentionSquares)}  agreement {100.0 * Agreements / Steps:F2}%  mean_kl {KlSum / Steps:E2}");
        }
    }
}
