using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Tests.Serving;

public sealed class AggregatedEngineTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private readonly AggregatedEngine _engine = fixture.Engine;

    [Fact]
    public async Task Greedy_generation_with_an_image_equals_argmax_of_full_recompute()
    {
        var image = SyntheticImage(tiles: 2, seed: 5);
        var tokensPerTile = fixture.Model.Config.TokensPerTile;
        var prompt = PromptWithImage(prefix: 7, imageTokens: image.TileCount * tokensPerTile, suffix: 5, seed: 2);

        var generated = await Collect(_engine.GenerateAsync(prompt, [image], SamplingParams.Greedy(12) with { IgnoreStopTokens = true }));

        // Reference: encode the tiles and recompute the whole sequence for every new token, no cache, no batching.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var embeddings = fixture.Model.EncodeTiles(tensor(image.Pixels, [image.TileCount, 3, 224, 224]));
        var positions = arange(7, 7 + (image.TileCount * tokensPerTile), dtype: int64);
        var tokens = prompt.Ids.ToList();
        var expected = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            var logits = fixture.Model.ForwardFullLogits(fixture.Model.EmbedPrompt(tensor(tokens.Select(t => (long)t).ToArray()), positions, embeddings))[-1];
            logits = logits.narrow(0, 0, EngineFixture.Rules.SampleableLimit);
            var next = (int)logits.argmax().item<long>();
            expected.Add(next);
            tokens.Add(next);
        }

        Assert.Equal(expected, generated.Select(t => t.TokenId));
        Assert.Equal(Enumerable.Range(0, 12), generated.Select(t => t.Index));
        Assert.Equal(FinishReason.Length, generated[^1].Finish);
        Assert.All(generated[..^1], t => Assert.Null(t.Finish));
    }

    [Fact]
    public async Task Eight_concurrent_sequences_of_different_lengths_decode_exactly_what_each_decodes_alone()
    {
        var prompts = Enumerable.Range(0, 8).Select(i => TextPrompt(3 + (i * 9), seed: 100 + i)).ToList();
        var alone = new List<int[]>();
        foreach (var prompt in prompts)
        {
            alone.Add((await Collect(_engine.GenerateAsync(prompt, [], SamplingParams.Greedy(16) with { IgnoreStopTokens = true }))).Select(t => t.TokenId).ToArray());
        }

        var stepsBefore = _engine.Llm.Stats.Steps;
        var together = await Task.WhenAll(prompts.Select(p => Collect(_engine.GenerateAsync(p, [], SamplingParams.Greedy(16) with { IgnoreStopTokens = true }))));

        for (var i = 0; i < prompts.Count; i++)
        {
            Assert.Equal(alone[i], together[i].Select(t => t.TokenId));
        }

        // Batched for real: 8 × 16 tokens took far fewer steps than 128.
        Assert.True(_engine.Llm.Stats.Steps - stepsBefore < 64, $"took {_engine.Llm.Stats.Steps - stepsBefore} steps");
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_sampled_tokens_and_another_seed_does_not()
    {
        var prompt = TextPrompt(10, seed: 9);
        var sampling = new SamplingParams { Temperature = 1.0, TopP = 0.9, TopK = 200, Seed = 42, MaxTokens = 20, IgnoreStopTokens = true };

        var first = await Tokens(prompt, sampling);
        var second = await Tokens(prompt, sampling);
        var other = await Tokens(prompt, sampling with { Seed = 43 });

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task A_stop_token_finishes_with_stop_and_max_tokens_with_length()
    {
        var prompt = TextPrompt(6, seed: 4);
        var free = await Tokens(prompt, SamplingParams.Greedy(10) with { IgnoreStopTokens = true });

        // Declare a later greedy token (one not produced before it) a stop token: generation ends there, with reason stop.
        var k = Enumerable.Range(1, free.Length - 1).First(i => !free[..i].Contains(free[i]));
        var stopped = await Collect(_engine.GenerateAsync(prompt, [], SamplingParams.Greedy(10) with { StopTokenIds = [free[k]] }));

        Assert.Equal(free[..(k + 1)], stopped.Select(t => t.TokenId));
        Assert.Equal(FinishReason.Stop, stopped[^1].Finish);
        var limited = await Collect(_engine.GenerateAsync(prompt, [], SamplingParams.Greedy(3) with { IgnoreStopTokens = true }));
        Assert.Equal(3, limited.Count);
        Assert.Equal(FinishReason.Length, limited[^1].Finish);
    }

    [Fact]
    public async Task Cancelling_mid_stream_frees_every_block_the_request_held()
    {
        var freeBefore = _engine.Llm.Stats.FreeBlocks;
        using var cancel = new CancellationTokenSource();
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var token in _engine.GenerateAsync(TextPrompt(40, seed: 1), [], SamplingParams.Greedy(500) with { IgnoreStopTokens = true }, cancel.Token))
            {
                if (++received == 5)
                {
                    Assert.True(_engine.Llm.Stats.FreeBlocks < freeBefore);
                    await cancel.CancelAsync();
                }
            }
        });

        await WaitUntil(() => _engine.Llm.Stats.FreeBlocks == freeBefore && _engine.Llm.Stats.Running == 0);
        Assert.Equal(freeBefore, _engine.Llm.Stats.FreeBlocks);
    }

    [Fact]
    public async Task Prompts_that_can_never_be_served_are_refused_with_a_reason()
    {
        var tooLong = new PromptTokens(Enumerable.Repeat(5, fixture.Model.Config.Text.MaxPositionEmbeddings).ToArray(), []);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Tokens(tooLong, SamplingParams.Greedy(1)));
        Assert.Contains("context", error.Message);

        var badId = new PromptTokens([1, 2, 5000], []);
        error = await Assert.ThrowsAsync<ArgumentException>(() => Tokens(badId, SamplingParams.Greedy(1)));
        Assert.Contains("5000", error.Message);

        await Assert.ThrowsAsync<ArgumentException>(() => Tokens(TextPrompt(4, 1), SamplingParams.Greedy(0)));
    }

    [Fact]
    public async Task Two_hundred_requests_leave_no_live_tensor_behind()
    {
        var image = SyntheticImage(tiles: 1, seed: 3);
        await Tokens(TextPrompt(5, 1), SamplingParams.Greedy(2)); // warm up lazily created tensors
        var before = await _engine.CountLiveTensorsAsync();

        for (var batch = 0; batch < 20; batch++)
        {
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => i % 3 == 0
                ? Collect(_engine.GenerateAsync(PromptWithImage(3, 16, 2, seed: i), [image], SamplingParams.Greedy(3)))
                : Collect(_engine.GenerateAsync(TextPrompt(4 + i, seed: i), [], new SamplingParams { MaxTokens = 3, Seed = i }))));
        }

        Assert.Equal(before, await _engine.CountLiveTensorsAsync());
    }

    private async Task<int[]> Tokens(PromptTokens prompt, SamplingParams sampling) =>
        (await Collect(_engine.GenerateAsync(prompt, [], sampling))).Select(t => t.TokenId).ToArray();

    private static async Task<List<GeneratedToken>> Collect(IAsyncEnumerable<GeneratedToken> stream)
    {
        var tokens = new List<GeneratedToken>();
        await foreach (var token in stream)
        {
            tokens.Add(token);
        }

        return tokens;
    }

    private static PromptTokens TextPrompt(int length, int seed)
    {
        var random = new Random(seed);
        return new PromptTokens(Enumerable.Range(0, length).Select(_ => random.Next(0, 990)).ToArray(), []);
    }

    private PromptTokens PromptWithImage(int prefix, int imageTokens, int suffix, int seed)
    {
        var random = new Random(seed);
        var ids = Enumerable.Range(0, prefix).Select(_ => random.Next(0, 990))
            .Concat(Enumerable.Repeat(fixture.Model.Config.ImageTokenId, imageTokens))
            .Concat(Enumerable.Range(0, suffix).Select(_ => random.Next(0, 990)))
            .ToArray();
        return new PromptTokens(ids, [new ImageSpan(0, prefix, imageTokens)]);
    }

    private static PreprocessedImage SyntheticImage(int tiles, int seed)
    {
        var random = new Random(seed);
        var pixels = Enumerable.Range(0, tiles * 3 * 224 * 224).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        return new PreprocessedImage(224 * tiles, 224, new TileGrid(tiles, 1), HasThumbnail: false, 224, pixels, "test");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }
    }
}
