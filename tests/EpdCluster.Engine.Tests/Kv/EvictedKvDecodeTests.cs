using System.Runtime.InteropServices;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Tests.Model;
using EpdCluster.Engine.Tests.Serving;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Tests.Kv;

/// <summary>
/// After eviction a sequence holds fewer cache slots than positions: decode must continue at the original positions.
/// Checked against a cache that keeps the prompt's full length, with the kept tokens in its first slots and the
/// evicted ones' slots masked out — same keys, same values, positions equal to slots.
/// </summary>
public sealed class EvictedKvDecodeTests : IDisposable
{
    private const int BlockSize = 16;
    private const int PromptTokens = 45;
    private const int DecodeSteps = 6;
    private const double Tolerance = 1e-4;
    private readonly MultimodalModel _model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 31);
    private readonly List<IDisposable> _owned = [];

    /// <summary>Prompt positions kept: every text token (0..4 and 37..44) and every third image token.</summary>
    private static readonly int[] Kept = [.. Enumerable.Range(0, PromptTokens).Where(t => t < 5 || t >= 37 || t % 3 == 0)];

    [Fact]
    public void Decode_after_eviction_continues_at_the_original_positions()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var full = Prefill(out var lastLogits);
        var compact = Compact(full);
        var first = lastLogits.narrow(0, 0, EngineFixture.Rules.SampleableLimit).argmax().item<long>();

        var expected = DecodeWithHoles(compact, first);
        var actual = DecodeCompact(compact, first, positionOffset: full.Tokens - compact.Slots);
        var wrongPositions = DecodeCompact(compact, first, positionOffset: 0);

        for (var step = 0; step < DecodeSteps; step++)
        {
            var difference = (expected[step] - actual[step]).abs().max().item<float>();
            Assert.True(difference <= Tolerance, $"step {step}: max |expected - actual| = {difference}");
        }

        // Positions matter: slots taken for positions give other logits, so the comparison above can fail.
        Assert.True((expected[0] - wrongPositions[0]).abs().max().item<float>() > 100 * Tolerance);
    }

    [Fact]
    public async Task The_engine_decodes_an_evicted_import_at_the_original_positions_and_returns_unneeded_blocks()
    {
        var prefill = Engine();
        var decode = Engine();
        var sampling = SamplingParams.Greedy(DecodeSteps + 1) with { IgnoreStopTokens = true };
        var request = Request(sampling);
        var first = await prefill.Llm.Submit(request with { PrefillOnly = true }).ReadAsync();
        var exported = await prefill.Llm.ExportParkedKvAsync(request.RequestId, withSaliency: false);
        await prefill.Llm.ReleaseParkedAsync(request.RequestId);
        var compact = Compact(exported);

        var free = decode.Llm.Stats.FreeBlocks;
        await decode.Llm.ReserveAsync(request.RequestId, PromptTokens + sampling.MaxTokens);
        await decode.Llm.ImportAsync(request.RequestId, compact);
        var tokens = new List<int> { first.TokenId };
        await foreach (var token in decode.Llm.SubmitPrefilled(request with { Images = [] }, first.TokenId).ReadAllAsync())
        {
            tokens.Add(token.TokenId);
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var expected = DecodeWithHoles(compact, first.TokenId).Select(l => (int)l.narrow(0, 0, EngineFixture.Rules.SampleableLimit).argmax().item<long>()).ToList();
        Assert.Equal([first.TokenId, .. expected], tokens);
        await WaitUntil(() => decode.Llm.Stats.FreeBlocks == free);
        Assert.Equal(free, decode.Llm.Stats.FreeBlocks);
    }

    [Fact]
    public async Task Importing_evicted_kv_returns_the_reserved_blocks_the_sequence_can_no_longer_fill()
    {
        var decode = Engine();
        var kv = new KvSnapshot(decode.Llm.KvLayout, tokens: 100, slots: 20, new float[decode.Llm.KvLayout.FloatsFor(20)]);
        var free = decode.Llm.Stats.FreeBlocks;

        await decode.Llm.ReserveAsync(5, tokens: 110); // 7 blocks for 100 prompt tokens + 10 generated
        await decode.Llm.ImportAsync(5, kv);

        Assert.Equal(free - 2, decode.Llm.Stats.FreeBlocks); // 20 slots + 10 generated fit 2 blocks
    }

    /// <summary>Prefills the prompt into a fresh cache; returns its KV (slots = positions) and the last position's logits.</summary>
    private KvSnapshot Prefill(out Tensor lastLogits)
    {
        var cache = Own(new PagedKvCache(_model.Config.Text, totalBlocks: 8, BlockSize));
        int[] blocks = [0, 1, 2];
        var layout = PagedBatchLayout.Build([new SequenceSlice(0, PromptTokens, blocks)], BlockSize);
        lastLogits = _model.Logits(_model.ForwardPaged(Embeddings(), layout, cache))[-1];
        var data = new float[cache.Layout.FloatsFor(PromptTokens)];
        cache.ExportBlocks(blocks, MemoryMarshal.AsBytes(data.AsSpan()));
        return new KvSnapshot(cache.Layout, PromptTokens, PromptTokens, data);
    }

    /// <summary>The kept tokens' K/V in slots 0..kept-1 (what an eviction codec hands the decode worker).</summary>
    private static KvSnapshot Compact(KvSnapshot full)
    {
        var layout = full.Layout;
        var data = new float[layout.FloatsFor(Kept.Length)];
        var compact = new KvSnapshot(layout, full.Tokens, Kept.Length, data);
        for (var s = 0; s < Kept.Length; s++)
        {
            for (var layer = 0; layer < layout.Layers; layer++)
            {
                for (var kind = 0; kind < 2; kind++)
                {
                    full.Vector(Kept[s], layer, kind).CopyTo(compact.Vector(s, layer, kind));
                }
            }
        }

        return compact;
    }

    private List<Tensor> DecodeCompact(KvSnapshot compact, long first, int positionOffset)
    {
        var cache = Own(new PagedKvCache(_model.Config.Text, totalBlocks: 8, BlockSize));
        int[] blocks = [0, 1, 2, 3];
        cache.ImportBlocks(blocks[..compact.Blocks], MemoryMarshal.AsBytes(compact.Data.AsSpan()));
        return Decode(first, step => PagedBatchLayout.Build([new SequenceSlice(compact.Slots + step, 1, blocks, positionOffset)], BlockSize), cache);
    }

    /// <summary>Full-length reference: kept slots first, evicted slots as masked holes, positions equal to slots.</summary>
    private List<Tensor> DecodeWithHoles(KvSnapshot compact, long first)
    {
        var cache = Own(new PagedKvCache(_model.Config.Text, totalBlocks: 8, BlockSize));
        int[] blocks = [0, 1, 2, 3];
        cache.ImportBlocks(blocks[..compact.Blocks], MemoryMarshal.AsBytes(compact.Data.AsSpan()));
        var holes = arange(compact.Slots, compact.Tokens, dtype: int64);
        return Decode(first, step =>
        {
            var layout = PagedBatchLayout.Build([new SequenceSlice(compact.Tokens + step, 1, blocks)], BlockSize);
            layout.Mask.index_fill_(2, holes, false);
            return layout;
        }, cache);
    }

    private List<Tensor> Decode(long first, Func<int, PagedBatchLayout> layoutForStep, PagedKvCache cache)
    {
        var logits = new List<Tensor>();
        var next = first;
        for (var step = 0; step < DecodeSteps; step++)
        {
            var step_logits = _model.Logits(_model.ForwardPaged(_model.EmbedPrompt(tensor(new[] { next }), null, null), layoutForStep(step), cache))[-1];
            logits.Add(step_logits);
            next = step_logits.narrow(0, 0, EngineFixture.Rules.SampleableLimit).argmax().item<long>();
        }

        return logits;
    }

    private GenerationRequest Request(SamplingParams sampling)
    {
        var random = new Random(5);
        var embeddings = Enumerable.Range(0, 32 * _model.Config.Text.HiddenSize).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        return new GenerationRequest(41, Ids(), [new PromptImage(5, 32, embeddings)], sampling);
    }

    private Tensor Embeddings()
    {
        var image = Request(SamplingParams.Greedy(1)).Images[0];
        return _model.EmbedPrompt(tensor(Ids().Select(i => (long)i).ToArray()), arange(5, 37, dtype: int64), tensor(image.Embeddings, [32, _model.Config.Text.HiddenSize]));
    }

    private static int[] Ids() => [.. Enumerable.Range(10, 5), .. Enumerable.Repeat(1000, 32), .. Enumerable.Range(40, 8)];

    private AggregatedEngine Engine() => Own(new AggregatedEngine(_model, new EngineOptions { KvCacheBytes = 8L * 1024 * 1024 }, EngineFixture.Rules));

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private static async Task WaitUntil(Func<bool> condition, double seconds = 2)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }

        _model.Dispose();
    }
}
