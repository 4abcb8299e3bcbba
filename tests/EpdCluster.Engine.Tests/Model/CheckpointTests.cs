using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;
using EpdCluster.Engine.Weights;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Tests.Model;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("epd-checkpoint-").FullName;

    [Fact]
    public async Task Two_engines_loading_the_same_dummy_checkpoint_generate_the_same_greedy_tokens()
    {
        var path = DummyWeights.EnsureCheckpoint(EpdModelConfig.Tiny, Path.Combine(_directory, "epd-tiny"), seed: 0);
        var tokenizer = EpdTokenizer.Shared;
        var prompt = new ChatTemplate(tokenizer).Render([new ChatMessage(ChatRole.User, "Describe the weather in two words.")]);

        var results = new List<int[]>();
        foreach (var _ in new[] { 1, 2 })
        {
            using var model = ModelCheckpoint.Load(path);
            using var engine = new AggregatedEngine(model, new EngineOptions { KvCacheBytes = 16L * 1024 * 1024 }, VocabularyRules.ForTokenizer(tokenizer));
            var tokens = new List<int>();
            await foreach (var token in engine.GenerateAsync(prompt, [], SamplingParams.Greedy(8) with { IgnoreStopTokens = true }))
            {
                tokens.Add(token.TokenId);
            }

            results.Add([.. tokens]);
        }

        Assert.Equal(8, results[0].Length);
        Assert.Equal(results[0], results[1]);
        Assert.All(results[0], id => Assert.InRange(id, 0, tokenizer.VocabularySize - 1));
        Assert.DoesNotContain(EpdTokenizer.ImageId, results[0]);
    }

    [Fact]
    public void Dummy_weights_depend_on_the_seed_and_round_trip_through_safetensors_bit_exactly()
    {
        var config = TestModels.SmallVocabulary;
        using var a = TestModels.CreateDummy(config, seed: 1);
        using var b = TestModels.CreateDummy(config, seed: 1);
        using var c = TestModels.CreateDummy(config, seed: 2);
        var weightName = "language_model.model.layers.0.self_attn.q_proj.weight";
        Assert.True(a.state_dict()[weightName].eq(b.state_dict()[weightName]).all().item<bool>());
        Assert.False(a.state_dict()[weightName].eq(c.state_dict()[weightName]).all().item<bool>());

        ModelCheckpoint.Save(a, _directory, asFloat16: false);
        using var loaded = ModelCheckpoint.Load(_directory);
        foreach (var (name, tensor) in a.state_dict())
        {
            Assert.True(tensor.eq(loaded.state_dict()[name]).all().item<bool>(), $"{name} changed on the round trip");
        }
    }

    [Fact]
    public void Parameter_names_follow_the_hugging_face_layout()
    {
        using var model = new MultimodalModel(TestModels.SmallVocabulary);
        var names = model.state_dict().Keys.ToHashSet();

        Assert.Contains("vision_tower.embeddings.patch_embedding.weight", names);
        Assert.Contains("vision_tower.embeddings.position_embedding.weight", names);
        Assert.Contains("vision_tower.encoder.layers.3.self_attn.q_proj.weight", names);
        Assert.Contains("vision_tower.encoder.layers.0.mlp.fc1.weight", names);
        Assert.Contains("vision_tower.post_layernorm.weight", names);
        Assert.Contains("multi_modal_projector.linear_1.weight", names);
        Assert.Contains("multi_modal_projector.linear_2.bias", names);
        Assert.Contains("language_model.model.embed_tokens.weight", names);
        Assert.Contains("language_model.model.layers.3.self_attn.k_proj.weight", names);
        Assert.Contains("language_model.model.layers.0.mlp.gate_proj.weight", names);
        Assert.Contains("language_model.model.layers.0.post_attention_layernorm.weight", names);
        Assert.Contains("language_model.model.norm.weight", names);
        Assert.DoesNotContain("language_model.lm_head.weight", names); // epd-tiny ties its output head to the embeddings
        Assert.Equal([64, 256], model.state_dict()["language_model.model.layers.0.self_attn.k_proj.weight"].shape); // 2 KV heads × 32
        Assert.DoesNotContain(names, n => n.Contains("._", StringComparison.Ordinal)); // no private field registered twice
    }

    [Fact]
    public void A_misshapen_tensor_fails_naming_the_tensor_and_both_shapes()
    {
        using var model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 1);
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        tensors["language_model.model.layers.1.mlp.up_proj.weight"] = zeros(600, 256);
        SafetensorsFile.Write(Path.Combine(_directory, ModelCheckpoint.WeightsFileName), tensors, asFloat16: true);
        TestModels.SmallVocabulary.Save(Path.Combine(_directory, ModelCheckpoint.ConfigFileName));

        var error = Assert.Throws<InvalidDataException>(() => ModelCheckpoint.Load(_directory));

        Assert.Contains("'language_model.model.layers.1.mlp.up_proj.weight'", error.Message);
        Assert.Contains("[600, 256]", error.Message);
        Assert.Contains("[688, 256]", error.Message);
    }

    [Fact]
    public void A_missing_or_unexpected_tensor_fails_naming_it()
    {
        using var model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 1);
        TestModels.SmallVocabulary.Save(Path.Combine(_directory, ModelCheckpoint.ConfigFileName));
        var weights = Path.Combine(_directory, ModelCheckpoint.WeightsFileName);

        var missing = model.state_dict().Where(kv => kv.Key != "language_model.model.norm.weight").ToDictionary(kv => kv.Key, kv => kv.Value);
        SafetensorsFile.Write(weights, missing, asFloat16: false);
        Assert.Contains("'language_model.model.norm.weight'", Assert.Throws<InvalidDataException>(() => ModelCheckpoint.Load(_directory)).Message);

        var extra = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        extra["vision_tower.class_embedding"] = zeros(192);
        SafetensorsFile.Write(weights, extra, asFloat16: false);
        Assert.Contains("'vision_tower.class_embedding'", Assert.Throws<InvalidDataException>(() => ModelCheckpoint.Load(_directory)).Message);
    }

    [Fact]
    public void Garbage_is_not_a_safetensors_file()
    {
        var path = Path.Combine(_directory, "broken.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1L << 40), .. "{}"u8]);
        Assert.Contains("impossible", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
