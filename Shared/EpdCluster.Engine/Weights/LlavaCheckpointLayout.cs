using System.Text.Json.Nodes;
using EpdCluster.Engine.Model;

namespace EpdCluster.Engine.Weights;

/// <summary>
/// Reads Hugging Face's LLaVA-1.5 layout (<c>LlavaForConditionalGeneration</c>: CLIP ViT vision tower, 2-layer
/// GELU projector, Llama language model) into this engine's architecture: CLIP's class token, pre-norm, quick GELU
/// and second-to-last-layer features; no pixel shuffle.
/// </summary>
public static class LlavaCheckpointLayout
{
    private const string VisionPrefix = "vision_tower.vision_model.";

    public static bool Matches(JsonObject config) => config["model_type"]?.GetValue<string>() == "llava";

    /// <summary>Translates a LLaVA <c>config.json</c>; a missing required field fails naming it.</summary>
    public static EpdModelConfig Translate(JsonObject config, string name)
    {
        var vision = config["vision_config"]?.AsObject() ?? throw Missing("vision_config");
        var text = config["text_config"]?.AsObject() ?? throw Missing("text_config");
        var textHidden = Int(text, "hidden_size");
        var heads = Int(text, "num_attention_heads");
        var featureLayer = config["vision_feature_layer"]?.GetValue<int>() ?? -2;
        var strategy = config["vision_feature_select_strategy"]?.GetValue<string>() ?? "default";
        if (strategy != "default")
        {
            throw new InvalidDataException($"LLaVA vision_feature_select_strategy '{strategy}' is not supported (only 'default', which drops the class token).");
        }

        return new EpdModelConfig
        {
            ModelType = "llava",
            Name = name,
            Vision = new VisionConfig
            {
                ImageSize = Int(vision, "image_size"),
                PatchSize = Int(vision, "patch_size"),
                HiddenSize = Int(vision, "hidden_size"),
                NumHiddenLayers = Int(vision, "num_hidden_layers"),
                NumAttentionHeads = Int(vision, "num_attention_heads"),
                IntermediateSize = Int(vision, "intermediate_size"),
                LayerNormEps = vision["layer_norm_eps"]?.GetValue<double>() ?? 1e-5,
                HiddenAct = vision["hidden_act"]?.GetValue<string>() ?? "quick_gelu",
                UseClassEmbedding = true,
                UsePreLayerNorm = true,
                PatchBias = false,
            },
            Text = new TextConfig
            {
                VocabSize = Int(text, "vocab_size"),
                HiddenSize = textHidden,
                NumHiddenLayers = Int(text, "num_hidden_layers"),
                NumAttentionHeads = heads,
                NumKeyValueHeads = text["num_key_value_heads"]?.GetValue<int>() ?? heads,
                HeadDim = text["head_dim"]?.GetValue<int>() ?? textHidden / heads,
                IntermediateSize = Int(text, "intermediate_size"),
                RmsNormEps = text["rms_norm_eps"]?.GetValue<double>() ?? 1e-5,
                RopeTheta = text["rope_theta"]?.GetValue<double>() ?? 10000,
                MaxPositionEmbeddings = text["max_position_embeddings"]?.GetValue<int>() ?? 4096,
                TieWordEmbeddings = text["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            },
            PixelShuffleFactor = 1,
            ProjectorHiddenSize = textHidden,
            VisionFeatureLayer = featureLayer,
            ImageTokenId = config["image_token_index"]?.GetValue<int>() ?? throw Missing("image_token_index"),
        };
    }

    /// <summary>Checkpoint tensor name → this model's parameter name; null for tensors that are not parameters (buffers).</summary>
    public static string? MapTensorName(string checkpointName)
    {
        if (checkpointName.EndsWith("position_ids", StringComparison.Ordinal))
        {
            return null;
        }

        return checkpointName.StartsWith(VisionPrefix, StringComparison.Ordinal)
            ? "vision_tower." + checkpointName[VisionPrefix.Length..]
            : checkpointName;
    }

    private static int Int(JsonObject section, string field) =>
        section[field]?.GetValue<int>() ?? throw Missing(field);

    private static InvalidDataException Missing(string field) => new($"LLaVA config.json lacks '{field}'.");
}
