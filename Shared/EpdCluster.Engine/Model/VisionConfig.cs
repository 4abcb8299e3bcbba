using System.Text.Json.Serialization;

namespace EpdCluster.Engine.Model;

/// <summary>The ViT vision tower. Field names follow Hugging Face's CLIP/InternViT configs.</summary>
public sealed record VisionConfig
{
    [JsonPropertyName("image_size")] public int ImageSize { get; init; } = 224;
    [JsonPropertyName("patch_size")] public int PatchSize { get; init; } = 28;
    [JsonPropertyName("num_channels")] public int NumChannels { get; init; } = 3;
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 192;
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 4;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 3;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 768;
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-6;

    [JsonIgnore] public int PatchesPerSide => ImageSize / PatchSize;

    [JsonIgnore] public int NumPatches => PatchesPerSide * PatchesPerSide;
}
