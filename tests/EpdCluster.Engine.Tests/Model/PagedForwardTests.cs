using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Tests.Model;

/// <summary>The paged, packed, chunked forward computes the same logits as a plain causal forward of each sequence alone.</summary>
public sealed class PagedForwardTests : IDisposable
{
    private const int BlockSize = 16;
    private const double Tolerance = 1e-4;
    private readonly MultimodalModel _model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 7);

    [Fact]
    public void Chunked_prefill_then_token_by_token_decode_matches_the_full_forward_with_an_image()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (embeddings, _) = RandomPrompt(tokens: 45, imageStart: 5, imageTokens: 16, seed: 1);
        var expected = _model.ForwardFullLogits(embeddings);

        using var cache = new PagedKvCache(_model.Config.Text, totalBlocks: 8, BlockSize);
        int[] blocks = [3, 0, 6]; // deliberately out of order: the block table, not memory order, defines positions
        var actual = new List<Tensor>();
        foreach (var (start, count) in new[] { (0, 20), (20, 13), (33, 1), (34, 1), (35, 10) })
        {
            var layout = PagedBatchLayout.Build([new SequenceSlice(start, count, blocks)], BlockSize);
            actual.Add(_model.Logits(_model.ForwardPaged(embeddings.narrow(0, start, count), layout, cache)));
        }

        AssertClose(expected, cat(actual, 0));
    }

    [Fact]
    public void A_packed_batch_of_sequences_of_different_lengths_matches_each_sequence_alone()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int[] lengths = [3, 17, 40, 1, 33];
        var prompts = lengths.Select((n, i) => RandomPrompt(n, imageStart: n > 20 ? 2 : -1, imageTokens: 16, seed: 10 + i).Embeddings).ToList();
        var expected = prompts.Select(p => _model.ForwardFullLogits(p)).ToList();

        using var cache = new PagedKvCache(_model.Config.Text, totalBlocks: 32, BlockSize);
        var allocator = new KvBlockAllocator(32, 0);
        var tables = lengths.Select(n => allocator.Allocate((n + BlockSize - 1) / BlockSize)).ToList();

        // Step 1: every sequence's prompt but its last token, packed together. Step 2: each sequence's last token.
        var prefill = lengths.Select((n, i) => (i, n - 1)).Where(x => x.Item2 > 0).ToList();
        var layout = PagedBatchLayout.Build(prefill.Select(x => new SequenceSlice(0, x.Item2, tables[x.i])).ToList(), BlockSize);
        var prefillLogits = _model.Logits(_model.ForwardPaged(cat(prefill.Select(x => prompts[x.i].narrow(0, 0, x.Item2)).ToList(), 0), layout, cache));

        var decode = PagedBatchLayout.Build(lengths.Select((n, i) => new SequenceSlice(n - 1, 1, tables[i])).ToList(), BlockSize);
        var decodeLogits = _model.Logits(_model.ForwardPaged(cat(prompts.Select((p, i) => p.narrow(0, lengths[i] - 1, 1)).ToList(), 0), decode, cache));

        var row = 0;
        foreach (var (i, count) in prefill)
        {
            AssertClose(expected[i].narrow(0, 0, count), prefillLogits.narrow(0, row, count));
            row += count;
        }

        for (var i = 0; i < lengths.Length; i++)
        {
            AssertClose(expected[i].narrow(0, lengths[i] - 1, 1), decodeLogits.narrow(0, i, 1));
        }
    }

    [Fact]
    public void Greedy_tokens_of_incremental_decoding_equal_greedy_tokens_of_full_recompute()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (embeddings, ids) = RandomPrompt(tokens: 12, imageStart: -1, imageTokens: 0, seed: 3);
        using var cache = new PagedKvCache(_model.Config.Text, totalBlocks: 4, BlockSize);
        int[] blocks = [0, 1, 2, 3];

        var tokens = ids.ToList();
        var layout = PagedBatchLayout.Build([new SequenceSlice(0, tokens.Count, blocks)], BlockSize);
        var next = _model.Logits(_model.ForwardPaged(embeddings, layout, cache))[-1].argmax().item<long>();
        for (var step = 0; step < 20; step++)
        {
            var full = _model.ForwardFullLogits(_model.EmbedPrompt(tensor(tokens.Select(t => (long)t).ToArray()), null, null))[-1].argmax().item<long>();
            Assert.Equal(full, next);
            tokens.Add((int)next);
            var decode = PagedBatchLayout.Build([new SequenceSlice(tokens.Count - 1, 1, blocks)], BlockSize);
            next = _model.Logits(_model.ForwardPaged(_model.EmbedPrompt(tensor(new[] { next }), null, null), decode, cache))[-1].argmax().item<long>();
        }
    }

    [Fact]
    public void Fused_serving_projections_compute_what_the_trainable_modules_compute_and_follow_weight_updates()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (embeddings, _) = RandomPrompt(tokens: 30, imageStart: 3, imageTokens: 16, seed: 4);
        var served = _model.ForwardFullLogits(embeddings); // eval: fused q/k/v and gate/up

        _model.train();
        var trained = _model.ForwardFullLogits(embeddings); // training: the separate modules
        AssertClose(trained, served);

        // Weights change while training; back in eval mode the fused weights must reflect the change.
        _model.state_dict()["language_model.model.layers.2.mlp.up_proj.weight"].add_(0.05);
        var changed = _model.ForwardFullLogits(embeddings);
        _model.eval();
        AssertClose(changed, _model.ForwardFullLogits(embeddings));
        Assert.False(served.allclose(changed, rtol: 0, atol: 1e-3), "the weight change must matter");
    }

    private (Tensor Embeddings, int[] Ids) RandomPrompt(int tokens, int imageStart, int imageTokens, int seed)
    {
        var random = new Random(seed);
        var ids = Enumerable.Range(0, tokens).Select(_ => random.Next(0, 999)).ToArray();
        if (imageStart < 0 || imageStart + imageTokens > tokens)
        {
            return (_model.EmbedPrompt(tensor(ids.Select(i => (long)i).ToArray()), null, null), ids);
        }

        var positions = arange(imageStart, imageStart + imageTokens, dtype: int64);
        var image = randn(imageTokens, _model.Config.Text.HiddenSize, generator: new Generator((ulong)seed));
        return (_model.EmbedPrompt(tensor(ids.Select(i => (long)i).ToArray()), positions, image), ids);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference <= Tolerance, $"max |expected - actual| = {difference} exceeds {Tolerance}");
    }

    public void Dispose() => _model.Dispose();
}
