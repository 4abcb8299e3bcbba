using EpdCluster.Engine.Kv;
using TorchSharp;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>
/// The whole model as trainable TorchSharp modules, with Hugging Face-like parameter names:
/// <c>vision_tower.*</c>, <c>multi_modal_projector.linear_1|linear_2</c>, <c>language_model.*</c>.
/// </summary>
public sealed class MultimodalModel : nn.Module
{
    private readonly VisionTower vision_tower;
    private readonly GeluMlp multi_modal_projector;
    private readonly LanguageModel language_model;

    public MultimodalModel(EpdModelConfig config) : base(nameof(MultimodalModel))
    {
        config.Validate();
        Config = config;
        vision_tower = new VisionTower(config.Vision, config.PixelShuffleFactor, config.VisionFeatureLayer);
        multi_modal_projector = new GeluMlp(config.ShuffledVisionWidth, config.ProjectorHiddenSize, config.Text.HiddenSize, "linear_1", "linear_2");
        language_model = new LanguageModel(config.Text);
        RegisterComponents();
    }

    public EpdModelConfig Config { get; }

    /// <summary>Vision tower + projector: [tiles, 3, size, size] → image embeddings [tiles·tokensPerTile, width].</summary>
    public Tensor EncodeTiles(Tensor pixels) => Project(VisionFeatures(pixels));

    /// <summary>The vision tower alone (stem, ViT, pixel shuffle): [tiles, 3, size, size] → [tiles, tokensPerTile, shuffled width].</summary>
    public Tensor VisionFeatures(Tensor pixels) => vision_tower.forward(pixels);

    /// <summary>The projector: vision features [tiles, tokensPerTile, shuffled width] → image embeddings [tiles·tokensPerTile, width].</summary>
    public Tensor Project(Tensor visionFeatures) =>
        multi_modal_projector.forward(visionFeatures).reshape(-1, Config.Text.HiddenSize);

    /// <summary>The vision tower's parameters (stem, patch and position embeddings, blocks, norms) — not the projector's.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> VisionTowerParameters() => vision_tower.parameters();

    /// <summary>The parameters of the vision tower's convolutional stem (none without one): a part of <see cref="VisionTowerParameters"/>.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> VisionStemParameters() =>
        vision_tower.named_parameters().Where(p => p.name.StartsWith("embeddings.stem.", StringComparison.Ordinal)).Select(p => p.parameter);

    /// <summary>
    /// Prompt embeddings: token embeddings with the rows at <paramref name="imagePositions"/> ([M] int64)
    /// replaced by <paramref name="imageEmbeddings"/> ([M, width]).
    /// </summary>
    public Tensor EmbedPrompt(Tensor ids, Tensor? imagePositions, Tensor? imageEmbeddings)
    {
        var embeddings = language_model.Embed(ids);
        if (imagePositions is null || imageEmbeddings is null || imagePositions.NumberOfElements == 0)
        {
            return embeddings;
        }

        return embeddings.index_copy(0, imagePositions, imageEmbeddings.to(embeddings.dtype));
    }

    /// <summary>Logits for every position of one whole sequence, no cache: embeddings [T, width] → [T, vocab].</summary>
    public Tensor ForwardFullLogits(Tensor embeddings) =>
        language_model.Logits(language_model.ForwardFull(embeddings.unsqueeze(0))).squeeze(0);

    internal Tensor ForwardPaged(Tensor embeddings, PagedBatchLayout layout, PagedKvCache cache, Action<int, Tensor>? queries = null) =>
        language_model.ForwardPaged(embeddings, layout, cache, queries);

    /// <summary>Logits over the vocabulary for final-normed hidden states: [..., width] → [..., vocab].</summary>
    public Tensor Logits(Tensor hidden) => language_model.Logits(hidden);

    /// <summary>
    /// Causal forward of whole sequences with no cache (training and the reference path): embeddings [B, T, width] at
    /// positions 0..T-1 → final-normed hidden states [B, T, width]. Right padding never changes earlier positions.
    /// </summary>
    /// <param name="queriesAndKeys">Called per decoder layer with its rotated queries [B, T, heads, headDim] and keys [B, T, kvHeads, headDim] (training probes), or null.</param>
    public Tensor ForwardFullHidden(Tensor embeddings, Action<int, Tensor, Tensor>? queriesAndKeys = null) => language_model.ForwardFull(embeddings, queriesAndKeys);
}
