using EpdCluster.Engine.Model;
using EpdCluster.Engine.Weights;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Tests.Model;

public sealed class VisionStemTests
{
    [Fact]
    public void Epd_tiny_has_a_two_layer_convolutional_stem_feeding_a_patch_embedding_that_still_covers_28_pixels()
    {
        using var model = new MultimodalModel(TestModels.SmallVocabulary);
        var weights = model.state_dict();

        Assert.Equal([32, 3, 3, 3], weights["vision_tower.embeddings.stem.0.weight"].shape);
        Assert.Equal([32], weights["vision_tower.embeddings.stem.0.bias"].shape);
        Assert.Equal([64, 32, 3, 3], weights["vision_tower.embeddings.stem.1.weight"].shape);
        Assert.DoesNotContain("vision_tower.embeddings.stem.2.weight", weights.Keys);

        // Two stride-2 convolutions (224 → 56), then 7 × 7 patches of their output: 8 × 8 patches of 28 pixels, as without a stem.
        Assert.Equal([192, 64, 7, 7], weights["vision_tower.embeddings.patch_embedding.weight"].shape);
        Assert.Equal([64, 192], weights["vision_tower.embeddings.position_embedding.weight"].shape);
    }

    [Fact]
    public void A_model_without_a_stem_keeps_the_plain_vit_layout()
    {
        var config = TestModels.SmallVocabulary with { Vision = TestModels.SmallVocabulary.Vision with { StemLayers = 0 } };
        using var model = new MultimodalModel(config);
        var weights = model.state_dict();

        Assert.DoesNotContain(weights.Keys, name => name.Contains(".stem.", StringComparison.Ordinal));
        Assert.Equal([192, 3, 28, 28], weights["vision_tower.embeddings.patch_embedding.weight"].shape);
    }

    [Fact]
    public void Stem_and_plain_towers_give_the_same_token_layout()
    {
        var plainConfig = TestModels.SmallVocabulary with { Vision = TestModels.SmallVocabulary.Vision with { StemLayers = 0 } };
        using var withStem = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 3);
        using var plain = TestModels.CreateDummy(plainConfig, seed: 3);
        using var noGrad = no_grad();
        using var pixels = randn(2, 3, 224, 224, generator: new Generator(5));

        using var a = withStem.EncodeTiles(pixels);
        using var b = plain.EncodeTiles(pixels);

        Assert.Equal([32, 256], a.shape); // 2 tiles × 16 tokens, the language model's width
        Assert.Equal(b.shape, a.shape);
        Assert.True(a.isfinite().all().item<bool>());
    }

    [Fact]
    public void Dummy_weights_give_stem_kernels_he_initialisation_and_every_other_matrix_the_usual_range()
    {
        using var model = TestModels.CreateDummy(TestModels.SmallVocabulary, seed: 9);
        var weights = model.state_dict();

        // He: standard deviation √(2 / fan-in), so a stack of convolutions neither fades nor explodes.
        Assert.Equal(Math.Sqrt(2.0 / 27), weights["vision_tower.embeddings.stem.0.weight"].std().item<float>(), 0.1 * Math.Sqrt(2.0 / 27));
        Assert.Equal(Math.Sqrt(2.0 / 288), weights["vision_tower.embeddings.stem.1.weight"].std().item<float>(), 0.05 * Math.Sqrt(2.0 / 288));
        Assert.Equal(0, weights["vision_tower.embeddings.stem.1.bias"].abs().max().item<float>());
        Assert.Equal(DummyWeights.InitializerRange, weights["vision_tower.embeddings.patch_embedding.weight"].std().item<float>(), 0.05 * DummyWeights.InitializerRange);
    }

    [Theory]
    [InlineData(3, 32, "patch_size must be a multiple of 2^stem_layers")] // 28 is not a multiple of 8
    [InlineData(-1, 32, "stem_layers must be 0–4")]
    [InlineData(2, 0, "stem_channels positive")]
    public void Impossible_stems_are_rejected_naming_the_field(int layers, int channels, string message)
    {
        var config = EpdModelConfig.Tiny with { Vision = EpdModelConfig.Tiny.Vision with { StemLayers = layers, StemChannels = channels } };

        var error = Assert.Throws<InvalidDataException>(config.Validate);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_without_stem_fields_loads_as_a_plain_vit_and_epd_tiny_round_trips_its_stem()
    {
        var directory = Directory.CreateTempSubdirectory("epd-stem-config-").FullName;
        try
        {
            var plainPath = Path.Combine(directory, "plain.json");
            File.WriteAllText(plainPath, """{"vision_config": {"image_size": 224, "patch_size": 28}, "text_config": {}}""");
            Assert.Equal(0, EpdModelConfig.Load(plainPath).Vision.StemLayers);

            var tinyPath = Path.Combine(directory, "tiny.json");
            EpdModelConfig.Tiny.Save(tinyPath);
            Assert.Contains("\"stem_layers\": 2", File.ReadAllText(tinyPath), StringComparison.Ordinal);
            Assert.Equal(EpdModelConfig.Tiny.Vision, EpdModelConfig.Load(tinyPath).Vision);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
