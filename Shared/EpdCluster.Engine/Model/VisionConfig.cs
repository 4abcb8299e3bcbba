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

    /// <summary><c>gelu</c> (InternViT) or <c>quick_gelu</c> (OpenAI CLIP, LLaVA-1.5).</summary>
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu";

    /// <summary>Prepend a learned class token (CLIP); its output is dropped before the projector.</summary>
    [JsonPropertyName("use_class_embedding")] public bool UseClassEmbedding { get; init; }

    /// <summary>LayerNorm the embeddings before the first block (CLIP's <c>pre_layrnorm</c>).</summary>
    [JsonPropertyName("use_pre_layernorm")] public bool UsePreLayerNorm { get; init; }

    /// <summary>Whether the patch-embedding convolution has a bias (CLIP's has none).</summary>
    [JsonPropertyName("patch_bias")] public bool PatchBias { get; init; } = true;

    [JsonIgnore] public int PatchesPerSide => ImageSize / PatchSize;

    [JsonIgnore] public int NumPatches => PatchesPerSide * PatchesPerSide;

    /// <summary>Positions the position embedding covers: the patches, plus the class token if any.</summary>
    [JsonIgnore] public int NumPositions => NumPatches + (UseClassEmbedding ? 1 : 0);
}
