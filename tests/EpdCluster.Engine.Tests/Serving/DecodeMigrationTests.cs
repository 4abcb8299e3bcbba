using System.Threading.Channels;
using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Tests.Model;
using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Tests.Serving;

/// <summary>
/// A decoding sequence suspended on one engine, its KV blocks imported into another, continued there: the tokens read
/// from both streams together equal those of one aggregated engine, with contiguous indices and no block left behind.
/// </summary>
public sealed class DecodeMigrationTests : IDisposable
{
    private const int MaxTokens = 400;
    private const int TokensBeforeMove = 5;
    private readonly EngineSet _engines = new();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sequence_moved_mid_decode_continues_with_the_aggregated_engines_tokens(bool sampled)
    {
        var reference = Engine();
        var source = Engine();
        var target = Engine();
        var sampling = Sampling(sampled);
        var (prompt, image) = ImagePrompt();
        var expected = new List<int>();
        await foreach (var token in reference.GenerateAsync(prompt, [image], sampling))
        {
            expected.Add(token.TokenId);
        }

        var sourceFree = source.Llm.Stats.FreeBlocks;
        var targetFree = target.Llm.Stats.FreeBlocks;
        var embeddings = await source.Encoder.EncodeTilesAsync(image.Pixels, image.TileCount);
        var request = new GenerationRequest(31, prompt.Ids, [new PromptImage(5, 32, embeddings)], sampling);
        var before = source.Llm.Submit(request);
        var actual = new List<(int Token, int Index)>();
        while (actual.Count < TokensBeforeMove)
        {
            var token = await before.ReadAsync();
            actual.Add((token.TokenId, token.Index));
        }

        var suspended = await source.Llm.SuspendAsync(request.RequestId);
        Assert.NotNull(suspended);
        Assert.True(suspended.GeneratedTokens.Length >= TokensBeforeMove);
        var kvTokens = prompt.Ids.Length + suspended.GeneratedTokens.Length - 1;
        Assert.Equal((kvTokens + 15) / 16 * source.Llm.BytesPerBlock, suspended.Blocks.Length);

        await target.Llm.ReserveAsync(request.RequestId, prompt.Ids.Length + MaxTokens);
        await target.Llm.ImportAsync(request.RequestId, suspended.Blocks);
        var after = target.Llm.SubmitMigrated(request with { Images = [] }, suspended.GeneratedTokens);
        Assert.True(await source.Llm.ReleaseSuspendedAsync(request.RequestId));

        // The source stream ends without a finish once every token generated before the move has been read.
        var rest = await ReadAllAsync(before);
        Assert.All(rest, t => Assert.Null(t.Finish));
        actual.AddRange(rest.Select(t => (t.TokenId, t.Index)));
        Assert.Equal(suspended.GeneratedTokens, actual.Select(t => t.Token));

        var continued = await ReadAllAsync(after);
        Assert.Equal(FinishReason.Length, continued[^1].Finish);
        actual.AddRange(continued.Select(t => (t.TokenId, t.Index)));

        Assert.Equal(expected, actual.Select(t => t.Token));
        Assert.Equal(Enumerable.Range(0, actual.Count), actual.Select(t => t.Index));
        await EngineSet.WaitUntil(() => source.Llm.Stats.FreeBlocks == sourceFree && target.Llm.Stats.FreeBlocks == targetFree);
        Assert.Equal(sourceFree, source.Llm.Stats.FreeBlocks);
        Assert.Equal(targetFree, target.Llm.Stats.FreeBlocks);
        Assert.Equal(0, source.Llm.Stats.SuspendedRequests);
    }

    [Fact]
    public async Task A_sequence_whose_move_fails_resumes_where_it_stopped()
    {
        var reference = Engine();
        var engine = Engine();
        var sampling = Sampling(sampled: false);
        var (prompt, image) = ImagePrompt();
        var expected = await reference.GenerateAsync(prompt, [image], sampling).Select(t => t.TokenId).ToListAsync();

        var embeddings = await engine.Encoder.EncodeTilesAsync(image.Pixels, image.TileCount);
        var stream = engine.Llm.Submit(new GenerationRequest(5, prompt.Ids, [new PromptImage(5, 32, embeddings)], sampling));
        var tokens = new List<int> { (await stream.ReadAsync()).TokenId };
        Assert.NotNull(await engine.Llm.SuspendAsync(5));
        Assert.Equal(1, engine.Llm.Stats.SuspendedRequests);
        Assert.True(await engine.Llm.ResumeSuspendedAsync(5));

        tokens.AddRange((await ReadAllAsync(stream)).Select(t => t.TokenId));
        Assert.Equal(expected, tokens);
    }

    [Fact]
    public async Task Aborting_a_suspended_sequence_ends_its_stream_and_frees_its_blocks()
    {
        var engine = Engine();
        var free = engine.Llm.Stats.FreeBlocks;
        var stream = engine.Llm.Submit(new GenerationRequest(8, [.. Enumerable.Range(1, 40)], [], Sampling(sampled: false)));
        await stream.ReadAsync();
        Assert.NotNull(await engine.Llm.SuspendAsync(8));

        engine.Llm.Abort(8);

        var last = (await ReadAllAsync(stream))[^1];
        Assert.Equal(FinishReason.Abort, last.Finish);
        Assert.False(await engine.Llm.ReleaseSuspendedAsync(8));
        await EngineSet.WaitUntil(() => engine.Llm.Stats.FreeBlocks == free);
        Assert.Equal(free, engine.Llm.Stats.FreeBlocks);
    }

    [Fact]
    public async Task Only_a_decoding_sequence_can_be_suspended()
    {
        var engine = Engine();

        Assert.Null(await engine.Llm.SuspendAsync(404));
        var first = await engine.Llm.Submit(new GenerationRequest(9, [.. Enumerable.Range(1, 40)], [], Sampling(false)) { PrefillOnly = true }).ReadAsync();
        Assert.Null(first.Finish);
        Assert.Null(await engine.Llm.SuspendAsync(9)); // parked for a hand-off, not decoding
    }

    private static SamplingParams Sampling(bool sampled) => sampled
        ? new SamplingParams { Temperature = 0.9, TopP = 0.95, Seed = 99, MaxTokens = MaxTokens, IgnoreStopTokens = true }
        : SamplingParams.Greedy(MaxTokens) with { IgnoreStopTokens = true };

    private static (PromptTokens Prompt, PreprocessedImage Image) ImagePrompt()
    {
        var random = new Random(3);
        var pixels = Enumerable.Range(0, 2 * 3 * 224 * 224).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        var image = new PreprocessedImage(448, 224, new TileGrid(2, 1), false, 224, pixels, "test");
        var prompt = new PromptTokens([.. Enumerable.Range(10, 5), .. Enumerable.Repeat(1000, 32), .. Enumerable.Range(40, 6)], [new ImageSpan(0, 5, 32)]);
        return (prompt, image);
    }

    private static async Task<List<GeneratedToken>> ReadAllAsync(ChannelReader<GeneratedToken> reader)
    {
        var tokens = new List<GeneratedToken>();
        await foreach (var token in reader.ReadAllAsync())
        {
            tokens.Add(token);
        }

        return tokens;
    }

    private AggregatedEngine Engine() => _engines.Create();


    public void Dispose() => _engines.Dispose();
}
