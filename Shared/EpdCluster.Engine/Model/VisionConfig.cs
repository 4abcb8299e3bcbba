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

    /// <summary>
    /// Convolutions before the patch embedding (0: none, the plain ViT of CLIP and InternViT). Each is a 3 × 3, stride-2
    /// convolution followed by GELU, the first with <see cref="StemChannels"/> outputs and each next one with twice its
    /// input's; the patch embedding then covers <see cref="PatchSize"/> / 2^layers of their output, so every token
    /// still stands for a <see cref="PatchSize"/>-pixel square. Hybrid ViTs do this: small convolutions give the tower
    /// edge and corner features that a single linear patch filter lacks.
    /// </summary>
    [JsonPropertyName("stem_layers")] public int StemLayers { get; init; }

    /// <summary>Output channels of the first stem convolution (see <see cref="StemLayers"/>).</summary>
    [JsonPropertyName("stem_channels")] public int StemChannels { get; init; } = 32;

    /// <summary>Channels the patch embedding reads: the image's, or the last stem convolution's.</summary>
    [JsonIgnore] public int PatchInputChannels => StemInputChannels(StemLayers);

    /// <summary>Channels stem convolution <paramref name="layer"/> reads (the image's for the first; <see cref="StemLayers"/>: the patch embedding's).</summary>
    public int StemInputChannels(int layer) => layer == 0 ? NumChannels : StemChannels << (layer - 1);

    /// <summary>Kernel and stride of the patch embedding, in the stem's output pixels.</summary>
    [JsonIgnore] public int PatchKernel => PatchSize >> StemLayers;

    [JsonIgnore] public int PatchesPerSide => ImageSize / PatchSize;

    [JsonIgnore] public int NumPatches => PatchesPerSide * PatchesPerSide;

    /// <summary>Positions the position embedding covers: the patches, plus the class token if any.</summary>
    [JsonIgnore] public int NumPositions => NumPatches + (UseClassEmbedding ? 1 : 0);
}
