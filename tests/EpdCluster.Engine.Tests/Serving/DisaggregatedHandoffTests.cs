using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Tests.Model;
using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Tests.Serving;

/// <summary>
/// Prefill on one engine, KV blocks exported and imported into another, decode there: the tokens equal those of
/// one aggregated engine — for greedy and for seeded sampling.
/// </summary>
public sealed class DisaggregatedHandoffTests : IDisposable
{
    private readonly EngineSet _engines = new();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Prefill_here_decode_there_equals_the_aggregated_engine(bool sampled)
    {
        var reference = Engine();
        var prefill = Engine();
        var decode = Engine();
        var sampling = sampled
            ? new SamplingParams { Temperature = 0.9, TopP = 0.95, Seed = 1234, MaxTokens = 14, IgnoreStopTokens = true }
            : SamplingParams.Greedy(14) with { IgnoreStopTokens = true };
        var image = new PreprocessedImage(448, 224, new TileGrid(2, 1), false, 224, Pixels(2, seed: 8), "test");
        var prompt = new PromptTokens([.. Enumerable.Range(10, 5), .. Enumerable.Repeat(1000, 32), .. Enumerable.Range(40, 6)], [new ImageSpan(0, 5, 32)]);

        var expected = new List<int>();
        await foreach (var token in reference.GenerateAsync(prompt, [image], sampling))
        {
            expected.Add(token.TokenId);
        }

        var decodeFreeBefore = decode.Llm.Stats.FreeBlocks;
        var prefillFreeBefore = prefill.Llm.Stats.FreeBlocks;
        var embeddings = await prefill.Encoder.EncodeTilesAsync(image.Pixels, image.TileCount);
        var request = new GenerationRequest(77, prompt.Ids, [new PromptImage(5, 32, embeddings)], sampling);

        await decode.Llm.ReserveAsync(request.RequestId, prompt.Ids.Length + sampling.MaxTokens);
        var first = await prefill.Llm.Submit(request with { PrefillOnly = true }).ReadAsync();
        Assert.Equal(0, first.Index);
        Assert.Null(first.Finish);
        var bytes = await prefill.Llm.ExportParkedAsync(request.RequestId);
        Assert.Equal(3 * prefill.Llm.BytesPerBlock, bytes.Length); // 43 prompt tokens in 16-token blocks
        await decode.Llm.ImportAsync(request.RequestId, bytes);
        Assert.True(await prefill.Llm.ReleaseParkedAsync(request.RequestId));

        var actual = new List<int> { first.TokenId };
        await foreach (var token in decode.Llm.SubmitPrefilled(request with { Images = [] }, first.TokenId).ReadAllAsync())
        {
            Assert.Equal(actual.Count, token.Index);
            actual.Add(token.TokenId);
        }

        Assert.Equal(expected, actual);
        Assert.Equal(prefillFreeBefore, prefill.Llm.Stats.FreeBlocks);
        await EngineSet.WaitUntil(() => decode.Llm.Stats.FreeBlocks == decodeFreeBefore);
        Assert.Equal(decodeFreeBefore, decode.Llm.Stats.FreeBlocks);
    }

    [Fact]
    public async Task A_reservation_whose_kv_never_arrives_is_freed_when_its_lease_ends()
    {
        var decode = Engine(new EngineOptions { KvCacheBytes = 8L * 1024 * 1024, KvLease = TimeSpan.FromMilliseconds(300) });
        var free = decode.Llm.Stats.FreeBlocks;

        var blocks = await decode.Llm.ReserveAsync(5, tokens: 100);
        Assert.Equal(7, blocks);
        await EngineSet.WaitUntil(() => decode.Llm.Stats.FreeBlocks == free - 7);
        Assert.Equal(free - 7, decode.Llm.Stats.FreeBlocks);

        await EngineSet.WaitUntil(() => decode.Llm.Stats.FreeBlocks == free, seconds: 5);
        Assert.Equal(free, decode.Llm.Stats.FreeBlocks);
        var stream = decode.Llm.SubmitPrefilled(new GenerationRequest(5, [1, 2, 3], [], SamplingParams.Greedy(4)), firstToken: 9);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await stream.ReadAllAsync().ToListAsync());
        Assert.Contains("never arrived", error.Message);
    }

    [Fact]
    public async Task Parked_blocks_whose_decode_never_fetches_them_are_freed_when_the_lease_ends()
    {
        var prefill = Engine(new EngineOptions { KvCacheBytes = 8L * 1024 * 1024, KvLease = TimeSpan.FromMilliseconds(300) });
        var free = prefill.Llm.Stats.FreeBlocks;

        var first = await prefill.Llm.Submit(new GenerationRequest(9, [.. Enumerable.Range(1, 40)], [], SamplingParams.Greedy(5) with { IgnoreStopTokens = true }) { PrefillOnly = true }).ReadAsync();

        Assert.Null(first.Finish);
        // The load snapshot refreshes after the step that produced the token: wait for it before reading.
        await EngineSet.WaitUntil(() => prefill.Llm.Stats.FreeBlocks < free);
        Assert.True(prefill.Llm.Stats.FreeBlocks < free);
        await EngineSet.WaitUntil(() => prefill.Llm.Stats.FreeBlocks == free, seconds: 5);
        Assert.Equal(free, prefill.Llm.Stats.FreeBlocks);
        await Assert.ThrowsAsync<InvalidOperationException>(() => prefill.Llm.ExportParkedAsync(9));
    }

    private AggregatedEngine Engine(EngineOptions? options = null) => _engines.Create(options);

    private static float[] Pixels(int tiles, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, tiles * 3 * 224 * 224).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
    }


    public void Dispose() => _engines.Dispose();
}
