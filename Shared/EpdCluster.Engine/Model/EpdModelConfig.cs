using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Engine.Model;

/// <summary>
/// A multimodal model: ViT tower on tiles → pixel shuffle → 2-layer MLP projector → Llama-style decoder.
/// Serialized as <c>config.json</c> with Hugging Face-like field names.
/// </summary>
public sealed record EpdModelConfig
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "epd";
    [JsonPropertyName("name")] public string Name { get; init; } = "epd-tiny";
    [JsonPropertyName("vision_config")] public VisionConfig Vision { get; init; } = new();
    [JsonPropertyName("text_config")] public TextConfig Text { get; init; } = new();

    /// <summary>Pixel-shuffle factor: each side of the patch grid shrinks by it, channels grow by its square (InternVL uses 2).</summary>
    [JsonPropertyName("pixel_shuffle_factor")] public int PixelShuffleFactor { get; init; } = 2;

    /// <summary>Hidden width of the 2-layer projector MLP.</summary>
    [JsonPropertyName("projector_hidden_size")] public int ProjectorHiddenSize { get; init; } = 256;

    /// <summary>
    /// Which vision layer feeds the projector: -1 = the last block followed by the final LayerNorm; -2 = the block
    /// before it, without the final norm (LLaVA-1.5's <c>vision_feature_layer</c>).
    /// </summary>
    [JsonPropertyName("vision_feature_layer")] public int VisionFeatureLayer { get; init; } = -1;

    /// <summary>The placeholder token id that image embeddings replace in the prompt.</summary>
    [JsonPropertyName("image_token_id")] public int ImageTokenId { get; init; } = 50259;

    /// <summary>Image tokens each tile contributes: (patches per side / shuffle)².</summary>
    [JsonIgnore] public int TokensPerTile => (Vision.PatchesPerSide / PixelShuffleFactor) * (Vision.PatchesPerSide / PixelShuffleFactor);

    /// <summary>Vision width after pixel shuffle (the projector's input).</summary>
    [JsonIgnore] public int ShuffledVisionWidth => Vision.HiddenSize * PixelShuffleFactor * PixelShuffleFactor;

    /// <summary>
    /// epd-tiny: a real architecture at a CPU-friendly size (see docs/engine.md), with tied input/output embeddings so
    /// the trained checkpoint (docs/models.md) stays small.
    /// </summary>
    public static EpdModelConfig Tiny { get; } = new() { Vision = new VisionConfig { StemLayers = 2 }, Text = new TextConfig { TieWordEmbeddings = true } };

    /// <summary>epd-small: wider and deeper, for benchmarks where compute must dominate.</summary>
    public static EpdModelConfig Small { get; } = new()
    {
        Name = "epd-small",
        Vision = new VisionConfig { HiddenSize = 384, NumHiddenLayers = 6, NumAttentionHeads = 6, IntermediateSize = 1536 },
        Text = new TextConfig { HiddenSize = 512, NumHiddenLayers = 8, NumAttentionHeads = 16, NumKeyValueHeads = 4, HeadDim = 32, IntermediateSize = 1376 },
        ProjectorHiddenSize = 512,
    };

    /// <summary>The built-in configuration named <paramref name="name"/>, or null.</summary>
    public static EpdModelConfig? ForName(string name) => name switch
    {
        "epd-tiny" => Tiny,
        "epd-small" => Small,
        _ => null,
    };

    public static EpdModelConfig Load(string path)
    {
        var config = JsonSerializer.Deserialize<EpdModelConfig>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidDataException($"{path} holds no model configuration.");
        config.Validate();
        return config;
    }

    /// <summary>Writes <c>config.json</c> through a temporary file, so a concurrent reader never sees half of it.</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temp, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming the inconsistent field.</summary>
    public void Validate()
    {
        Require(Vision.ImageSize % Vision.PatchSize == 0, "vision_config.image_size must be a multiple of patch_size");
        Require(Vision.StemLayers is >= 0 and <= 4 && Vision.StemChannels > 0, "vision_config.stem_layers must be 0–4 and stem_channels positive");
        Require(Vision.PatchSize % (1 << Vision.StemLayers) == 0, "vision_config.patch_size must be a multiple of 2^stem_layers");
        Require(Vision.PatchesPerSide % PixelShuffleFactor == 0, "vision_config patches per side must be a multiple of pixel_shuffle_factor");
        Require(Vision.HiddenSize % Vision.NumAttentionHeads == 0, "vision_config.hidden_size must be a multiple of num_attention_heads");
        Require(Text.NumAttentionHeads % Text.NumKeyValueHeads == 0, "text_config.num_attention_heads must be a multiple of num_key_value_heads");
        Require(Text.HeadDim % 2 == 0, "text_config.head_dim must be even (rotary embedding)");
        Require(ImageTokenId >= 0 && ImageTokenId < Text.VocabSize, "image_token_id must be inside text_config.vocab_size");
        Require(Text.MaxPositionEmbeddings > 0 && Text.NumHiddenLayers > 0 && Vision.NumHiddenLayers > 0, "layer counts and max_position_embeddings must be positive");
        Require(VisionFeatureLayer is -1 or -2 && Vision.NumHiddenLayers + VisionFeatureLayer >= 0, "vision_feature_layer must be -1 or -2");
        Require(Vision.HiddenAct is "gelu" or "quick_gelu", "vision_config.hidden_act must be gelu or quick_gelu");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException($"Invalid model configuration: {message}.");
        }
    }
}
