using System.Threading.Channels;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Simulated;
using EpdCluster.Engine.Tests.Serving;
using EpdCluster.Engine.Text;
using EpdCluster.Simulation.Profiles;

namespace EpdCluster.Engine.Tests.Simulated;

/// <summary>
/// The simulated engine keeps the serving contract of the real one without tensors: prefill here and decode there,
/// or a move mid-decode, give exactly the tokens of one engine doing it all; the tokens depend on the prompt and its
/// images; KV blocks are reserved, parked and freed within the profile's pool; KV of another prompt is refused.
/// </summary>
public sealed class SimulatedEngineTests : IDisposable
{
    private const int MaxTokens = 40;
    private const int LongAnswer = 500;
    private static readonly EpdModelConfig Config = EpdModelConfig.Tiny;
    private static readonly IReadOnlyList<int> Words = SimulatedTokens.WordTokens(EpdTokenizer.Shared, VocabularyRules.ForTokenizer(EpdTokenizer.Shared), Config.Text.VocabSize);
    private readonly List<SimulatedEngine> _engines = [];

    [Fact]
    public async Task Prefill_on_one_engine_and_decode_on_another_give_the_tokens_of_one_engine()
    {
        var reference = Engine();
        var prefill = Engine();
        var decode = Engine();
        var pixels = Pixels(seed: 1);

        var expected = await GenerateAsync(reference, 1, pixels);
        var request = Request(7, await prefill.Encoder.EncodeTilesAsync(pixels, 2)) with { PrefillOnly = true };
        var first = await ReadAllAsync(prefill.Llm.Submit(request));
        var blocks = await prefill.Llm.ExportParkedAsync(7);
        Assert.True(await prefill.Llm.ReleaseParkedAsync(7));
        var reserved = await decode.Llm.ReserveAsync(7, request.PromptIds.Length + MaxTokens);
        await decode.Llm.ImportAsync(7, blocks);
        var rest = await ReadAllAsync(decode.Llm.SubmitPrefilled(request with { Images = [], PrefillOnly = false }, first.Single().TokenId));

        Assert.Equal(expected, [.. first.Concat(rest).Select(t => t.TokenId)]);
        Assert.Equal(MaxTokens, expected.Count);
        Assert.Equal(Enumerable.Range(1, MaxTokens - 1), rest.Select(t => t.Index));
        Assert.Equal(FinishReason.Length, rest[^1].Finish);
        Assert.Equal((request.PromptIds.Length + 15) / 16 * SimulatedLlmEngine.BlockBytes, blocks.Length);
        Assert.Equal((request.PromptIds.Length + MaxTokens + 15) / 16, reserved);
        Assert.All(expected, id => Assert.Contains(id, Words));
        Assert.All(new[] { reference, prefill, decode }, e => Assert.Equal(e.Llm.Stats.TotalBlocks, e.Llm.Stats.FreeBlocks));
        Assert.Equal(0, prefill.Llm.Stats.ParkedRequests);
        Assert.Equal(0, decode.Llm.Stats.ReservedRequests);
    }

    [Fact]
    public async Task Tokens_depend_on_the_images_and_repeat_for_the_same_input()
    {
        var engine = Engine();

        var one = await GenerateAsync(engine, 1, Pixels(seed: 1));
        var again = await GenerateAsync(engine, 2, Pixels(seed: 1));
        var other = await GenerateAsync(engine, 3, Pixels(seed: 2));

        Assert.Equal(one, again);
        Assert.NotEqual(one, other);
    }

    [Fact]
    public async Task Pixels_that_went_through_fp16_encode_to_the_same_embeddings()
    {
        var engine = Engine();
        var pixels = Pixels(seed: 5);
        var halved = pixels.Select(p => (float)(Half)p).ToArray();

        var original = await engine.Encoder.EncodeTilesAsync(pixels, 2);
        var roundTripped = await engine.Encoder.EncodeTilesAsync(halved, 2);
        var otherImage = await engine.Encoder.EncodeTilesAsync(Pixels(seed: 6), 2);

        Assert.Equal(2 * Config.TokensPerTile * Config.Text.HiddenSize, original.Length);
        Assert.Equal(original, roundTripped);
        Assert.NotEqual(original, otherImage);
        Assert.All(original, v => Assert.Equal(v, (float)(Half)v));
    }

    [Fact]
    public async Task A_sequence_moved_mid_decode_continues_with_the_same_tokens_and_frees_every_block()
    {
        // Paced at 10 ms per step (the profile's 1 ms × 10), so the move lands mid-decode even when this thread waits
        // seconds for a core on a loaded machine (500 steps = 5 s).
        var source = Engine(timeScale: 10);
        var target = Engine(timeScale: 10);
        var pixels = Pixels(seed: 3);
        var expected = await GenerateAsync(Engine(), 1, pixels, LongAnswer);

        var request = Request(9, await source.Encoder.EncodeTilesAsync(pixels, 2), LongAnswer);
        var before = source.Llm.Submit(request);
        var read = new List<GeneratedToken>();
        while (read.Count < 5)
        {
            read.Add(await before.ReadAsync());
        }

        var suspended = await source.Llm.SuspendAsync(9);
        Assert.NotNull(suspended);
        await target.Llm.ReserveAsync(9, request.PromptIds.Length + LongAnswer);
        await target.Llm.ImportAsync(9, suspended.Blocks);
        var after = target.Llm.SubmitMigrated(request with { Images = [] }, suspended.GeneratedTokens);
        Assert.True(await source.Llm.ReleaseSuspendedAsync(9));
        read.AddRange(await ReadAllAsync(before));
        read.AddRange(await ReadAllAsync(after));

        Assert.Equal(expected, [.. read.Select(t => t.TokenId)]);
        Assert.Equal(Enumerable.Range(0, LongAnswer), read.Select(t => t.Index));
        Assert.Equal(source.Llm.Stats.TotalBlocks, source.Llm.Stats.FreeBlocks);
        Assert.Equal(target.Llm.Stats.TotalBlocks, target.Llm.Stats.FreeBlocks);
    }

    [Fact]
    public async Task Kv_computed_for_another_prompt_fails_the_stream_and_frees_the_reservation()
    {
        var prefill = Engine();
        var decode = Engine();
        var request = Request(11, await prefill.Encoder.EncodeTilesAsync(Pixels(seed: 4), 2)) with { PrefillOnly = true };
        var first = await ReadAllAsync(prefill.Llm.Submit(request));
        var blocks = await prefill.Llm.ExportParkedAsync(11);

        var otherPrompt = request with { PromptIds = [.. request.PromptIds.Select(id => id == 1 ? 2 : id)], Images = [], PrefillOnly = false };
        await decode.Llm.ReserveAsync(11, otherPrompt.PromptIds.Length + MaxTokens);
        await decode.Llm.ImportAsync(11, blocks);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ReadAllAsync(decode.Llm.SubmitPrefilled(otherPrompt, first.Single().TokenId)));

        Assert.Contains("another prompt", failure.Message);
        Assert.Equal(decode.Llm.Stats.TotalBlocks, decode.Llm.Stats.FreeBlocks);
    }

    [Fact]
    public async Task The_kv_pool_is_the_profiles_and_reservations_beyond_it_are_refused()
    {
        var engine = Engine(kvBlocks: 64);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.Llm.ReserveAsync(1, (64 * 16) + 1));
        var granted = await engine.Llm.ReserveAsync(2, 40 * 16);

        Assert.Equal(64, engine.Llm.Stats.TotalBlocks);
        Assert.Contains("Cannot reserve", refused.Message);
        Assert.Equal(40, granted);
        Assert.Equal(24, engine.Llm.Stats.FreeBlocks);
        engine.Llm.Abort(2);
        // An abort is applied at the engine's next step, which may come after calls posted later have returned.
        await EngineSet.WaitUntil(() => engine.Llm.Stats.FreeBlocks == 64);
        Assert.Equal(64, engine.Llm.Stats.FreeBlocks);
        Assert.Equal(0, engine.Llm.Stats.ReservedRequests);
    }

    [Fact]
    public async Task Compressed_kv_is_refused_with_a_clear_error()
    {
        var engine = Engine();

        var export = await Assert.ThrowsAsync<NotSupportedException>(() => engine.Llm.ExportParkedKvAsync(1, withSaliency: false));

        Assert.Contains("KvCodec", export.Message);
    }

    [Theory]
    [InlineData(null, 1, "Profile must name")]
    [InlineData("/nonexistent/profile.json", 1, "does not exist")]
    [InlineData("PROFILE", -1, "TimeScale")]
    [InlineData("PROFILE", double.NaN, "TimeScale")]
    public void Bad_simulation_settings_name_the_setting(string? profile, double timeScale, string message)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Profile(64).ToJson());
            var options = new SimulationOptions { Profile = profile == "PROFILE" ? path : profile, TimeScale = timeScale };

            var error = Assert.Throws<InvalidOperationException>(options.LoadProfile);

            Assert.Contains(message, error.Message);
            Assert.Contains("Epd:Simulation", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_profile_with_a_bad_field_is_refused_naming_the_field()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Profile(64).ToJson().Replace("\"kv_blocks\": 64", "\"kv_blocks\": 0", StringComparison.Ordinal));

            var error = Assert.Throws<InvalidOperationException>(new SimulationOptions { Profile = path }.LoadProfile);

            Assert.Contains("kv_blocks", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public void Dispose()
    {
        foreach (var engine in _engines)
        {
            engine.Dispose();
        }
    }

    /// <summary>A profile with cheap steps; the tests replay it without waiting (time scale 0).</summary>
    private static EngineProfile Profile(int kvBlocks) => new()
    {
        Name = "test",
        KvBlocks = kvBlocks,
        EncodeStepSeconds = [[1, 0.001]],
        PrefillStepSeconds = [[16, 0.001]],
        DecodeStepSeconds = [[1, 0.001]],
        MaxBatchTokens = 64, // prompts are prefilled in chunks
    };

    private SimulatedEngine Engine(int kvBlocks = 512, double timeScale = 0)
    {
        var engine = new SimulatedEngine(Config, Profile(kvBlocks), new EngineOptions(), new SimulationOptions { TimeScale = timeScale }, Words);
        _engines.Add(engine);
        return engine;
    }

    private static float[] Pixels(int seed)
    {
        var random = new Random(seed);
        var size = Config.Vision.ImageSize;
        return [.. Enumerable.Range(0, 2 * 3 * size * size).Select(_ => (float)random.NextDouble())];
    }

    /// <summary>A 100-token prompt whose positions 5.. hold a two-tile image.</summary>
    private static GenerationRequest Request(long id, float[] embeddings, int maxTokens = MaxTokens) =>
        new(id, [.. Enumerable.Range(1, 100)], [new PromptImage(5, 2 * Config.TokensPerTile, embeddings)], SamplingParams.Greedy(maxTokens));

    private static async Task<List<int>> GenerateAsync(SimulatedEngine engine, long id, float[] pixels, int maxTokens = MaxTokens)
    {
        var tokens = await ReadAllAsync(engine.Llm.Submit(Request(id, await engine.Encoder.EncodeTilesAsync(pixels, 2), maxTokens)));
        return [.. tokens.Select(t => t.TokenId)];
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
}
