using System.Text.Json.Nodes;
using EpdCluster.Engine.Weights;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Tests.Model;

/// <summary>
/// A tiny checkpoint in Hugging Face's LLaVA-1.5 layout, written by hand here (names and shapes as
/// LlavaForConditionalGeneration saves them, sharded with an index), loads and runs.
/// </summary>
public sealed class LlavaCheckpointTests : IDisposable
{
    private const int VisionWidth = 32, Patch = 14, Image = 56, VisionLayers = 2, VisionMlp = 64;
    private const int TextWidth = 64, TextLayers = 2, TextMlp = 96, Vocab = 320;
    private readonly string _directory = Directory.CreateTempSubdirectory("epd-llava-").FullName;
    private readonly Dictionary<string, Tensor> _tensors = [];

    public LlavaCheckpointTests()
    {
        var generator = new Generator(5);
        void Add(string name, params long[] shape) => _tensors[name] = randn(shape, generator: generator) * 0.05;
        const string v = "vision_tower.vision_model.";
        Add(v + "embeddings.class_embedding", VisionWidth);
        Add(v + "embeddings.patch_embedding.weight", VisionWidth, 3, Patch, Patch);
        Add(v + "embeddings.position_embedding.weight", 17, VisionWidth); // 4×4 patches + class token
        _tensors[v + "embeddings.position_ids"] = arange(17, dtype: float32).view(1, 17);
        Add(v + "pre_layrnorm.weight", VisionWidth);
        Add(v + "pre_layrnorm.bias", VisionWidth);
        for (var i = 0; i < VisionLayers; i++)
        {
            var l = $"{v}encoder.layers.{i}.";
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "out_proj" })
            {
                Add(l + $"self_attn.{proj}.weight", VisionWidth, VisionWidth);
                Add(l + $"self_attn.{proj}.bias", VisionWidth);
            }

            foreach (var norm in new[] { "layer_norm1", "layer_norm2" })
            {
                Add(l + $"{norm}.weight", VisionWidth);
                Add(l + $"{norm}.bias", VisionWidth);
            }

            Add(l + "mlp.fc1.weight", VisionMlp, VisionWidth);
            Add(l + "mlp.fc1.bias", VisionMlp);
            Add(l + "mlp.fc2.weight", VisionWidth, VisionMlp);
            Add(l + "mlp.fc2.bias", VisionWidth);
        }

        Add(v + "post_layernorm.weight", VisionWidth);
        Add(v + "post_layernorm.bias", VisionWidth);
        Add("multi_modal_projector.linear_1.weight", TextWidth, VisionWidth);
        Add("multi_modal_projector.linear_1.bias", TextWidth);
        Add("multi_modal_projector.linear_2.weight", TextWidth, TextWidth);
        Add("multi_modal_projector.linear_2.bias", TextWidth);
        Add("language_model.model.embed_tokens.weight", Vocab, TextWidth);
        for (var i = 0; i < TextLayers; i++)
        {
            var l = $"language_model.model.layers.{i}.";
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "o_proj" })
            {
                Add(l + $"self_attn.{proj}.weight", TextWidth, TextWidth);
            }

            Add(l + "mlp.gate_proj.weight", TextMlp, TextWidth);
            Add(l + "mlp.up_proj.weight", TextMlp, TextWidth);
            Add(l + "mlp.down_proj.weight", TextWidth, TextMlp);
            Add(l + "input_layernorm.weight", TextWidth);
            Add(l + "post_attention_layernorm.weight", TextWidth);
        }

        Add("language_model.model.norm.weight", TextWidth);
        Add("language_model.lm_head.weight", Vocab, TextWidth);
    }

    [Fact]
    public void A_sharded_llava_checkpoint_loads_with_its_config_translated()
    {
        Write();
        using var model = ModelCheckpoint.Load(_directory);

        Assert.Equal("llava", model.Config.ModelType);
        Assert.Equal(16, model.Config.TokensPerTile); // (56/14)² patches, no pixel shuffle
        Assert.Equal(300, model.Config.ImageTokenId);
        Assert.Equal(4, model.Config.Text.NumKeyValueHeads); // defaults to the head count when absent
        var parameters = model.state_dict();
        Assert.True(parameters["language_model.model.layers.1.self_attn.q_proj.weight"].eq(_tensors["language_model.model.layers.1.self_attn.q_proj.weight"]).all().item<bool>());
        Assert.True(parameters["vision_tower.embeddings.position_embedding.weight"].eq(_tensors["vision_tower.vision_model.embeddings.position_embedding.weight"]).all().item<bool>());

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var embeddings = model.EncodeTiles(randn(1, 3, Image, Image, generator: new Generator(1)));
        Assert.Equal([16, TextWidth], embeddings.shape);
    }

    [Fact]
    public void Features_come_from_the_second_to_last_vision_layer_without_the_final_norm()
    {
        Write();
        using var model = ModelCheckpoint.Load(_directory);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var pixels = randn(1, 3, Image, Image, generator: new Generator(2));
        var before = model.EncodeTiles(pixels).clone();
        var parameters = model.state_dict();

        parameters["vision_tower.encoder.layers.1.mlp.fc2.weight"].add_(1.0);
        parameters["vision_tower.post_layernorm.bias"].add_(1.0);
        Assert.True(before.eq(model.EncodeTiles(pixels)).all().item<bool>(), "the last layer and the final norm must not matter");

        parameters["vision_tower.encoder.layers.0.mlp.fc2.weight"].add_(1.0);
        Assert.False(before.allclose(model.EncodeTiles(pixels)), "the first layer must matter");
    }

    [Fact]
    public void A_misshapen_llava_tensor_fails_naming_it_as_the_checkpoint_does()
    {
        _tensors["vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight"] = zeros(65, VisionWidth);
        Write();

        var error = Assert.Throws<InvalidDataException>(() => ModelCheckpoint.Load(_directory));

        Assert.Contains("'vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight'", error.Message);
        Assert.Contains("[65, 32]", error.Message);
        Assert.Contains("[64, 32]", error.Message);
    }

    private void Write()
    {
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("LlavaForConditionalGeneration"),
            ["model_type"] = "llava",
            ["image_token_index"] = 300,
            ["projector_hidden_act"] = "gelu",
            ["vision_feature_layer"] = -2,
            ["vision_feature_select_strategy"] = "default",
            ["vision_config"] = new JsonObject
            {
                ["model_type"] = "clip_vision_model", ["hidden_size"] = VisionWidth, ["image_size"] = Image, ["patch_size"] = Patch,
                ["num_hidden_layers"] = VisionLayers, ["num_attention_heads"] = 2, ["intermediate_size"] = VisionMlp,
                ["hidden_act"] = "quick_gelu", ["layer_norm_eps"] = 1e-5,
            },
            ["text_config"] = new JsonObject
            {
                ["model_type"] = "llama", ["hidden_size"] = TextWidth, ["num_hidden_layers"] = TextLayers, ["num_attention_heads"] = 4,
                ["intermediate_size"] = TextMlp, ["vocab_size"] = Vocab, ["max_position_embeddings"] = 512, ["rms_norm_eps"] = 1e-5,
            },
        };
        File.WriteAllText(Path.Combine(_directory, "config.json"), config.ToJsonString());

        // Two shards, vision in one and the rest in the other, with Hugging Face's index file.
        var shards = _tensors.GroupBy(kv => kv.Key.StartsWith("vision_tower", StringComparison.Ordinal) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        var weightMap = new JsonObject();
        foreach (var shard in shards)
        {
            SafetensorsFile.Write(Path.Combine(_directory, shard.Key), shard.ToDictionary(kv => kv.Key, kv => kv.Value), asFloat16: false);
            foreach (var (name, _) in shard)
            {
                weightMap[name] = shard.Key;
            }
        }

        File.WriteAllText(Path.Combine(_directory, ModelCheckpoint.IndexFileName), new JsonObject { ["weight_map"] = weightMap }.ToJsonString());
    }

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
        {
            tensor.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
