using EpdCluster.Engine.Kv;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>
/// The Llama-style decoder with its LM head (<c>language_model.model.*</c>, <c>language_model.lm_head</c>). With
/// <see cref="TextConfig.TieWordEmbeddings"/> there is no <c>lm_head</c>: logits use the token embedding matrix
/// (Hugging Face omits the tied head from checkpoints the same way).
/// </summary>
internal sealed class LanguageModel : nn.Module
{
    private readonly TextConfig _config;
    private readonly RotaryEmbedding _rope;
    private readonly DecoderStack model;
    private readonly Linear? lm_head;

    public LanguageModel(TextConfig config) : base(nameof(LanguageModel))
    {
        _config = config;
        _rope = new RotaryEmbedding(config.HeadDim, config.MaxPositionEmbeddings, config.RopeTheta);
        model = new DecoderStack(config);
        lm_head = config.TieWordEmbeddings ? null : nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
    }

    public TextConfig Config => _config;

    /// <summary>Token embeddings: [...] int64 → [..., width].</summary>
    public Tensor Embed(Tensor ids) => model.embed_tokens.forward(ids);

    /// <summary>Logits over the vocabulary: [..., width] → [..., vocab].</summary>
    public Tensor Logits(Tensor hidden) =>
        ComputePrecision.Linear(hidden, lm_head?.weight ?? model.embed_tokens.weight!, lm_head?.bias);

    /// <summary>
    /// Causal forward over whole sequences with no cache (the reference path, and training):
    /// [B, T, width] embeddings at positions 0..T-1 → final-normed hidden states [B, T, width].
    /// </summary>
    /// <param name="queriesAndKeys">Called per layer with its rotated queries [B, T, heads, headDim] and keys [B, T, kvHeads, headDim], or null.</param>
    public Tensor ForwardFull(Tensor embeddings, Action<int, Tensor, Tensor>? queriesAndKeys = null)
    {
        var t = embeddings.shape[1];
        var (cos, sin) = _rope.At(arange(t, dtype: int64));
        var causal = ones(t, t, dtype: @bool).tril().unsqueeze(0);
        var h = embeddings;
        var index = 0;
        foreach (var layer in model.layers)
        {
            var layerIndex = index++;
            h = layer.Forward(h, cos, sin, (q, k, v) =>
            {
                queriesAndKeys?.Invoke(layerIndex, q, k);
                return GroupedQueryAttention.Attend(q, k, v, causal);
            });
        }

        return model.norm.forward(h);
    }

    /// <summary>
    /// Forward of packed new tokens [N, width] of several sequences against the paged KV cache: writes each new
    /// token's K/V into its block slot, attends over the sequence's cached tokens, returns final-normed [N, width].
    /// </summary>
    /// <param name="queries">Called per layer with that layer's rotated queries [N, heads, headDim] (saliency probes), or null.</param>
    public Tensor ForwardPaged(Tensor embeddings, PagedBatchLayout layout, PagedKvCache cache, Action<int, Tensor>? queries = null)
    {
        var (cos, sin) = _rope.At(layout.Positions);
        var batch = layout.BlockTable.shape[0];
        var maxNew = layout.Mask.shape[1];
        var heads = _config.NumAttentionHeads;
        var h = embeddings;
        var layerIndex = 0;
        foreach (var layer in model.layers)
        {
            var index = layerIndex++;
            h = layer.Forward(h, cos, sin, (q, k, v) =>
            {
                queries?.Invoke(index, q);
                cache.Write(index, k, v, layout.WriteBlocks, layout.WriteOffsets);
                var (keys, values) = cache.Gather(index, layout.BlockTable);
                if (layout.IsDense)
                {
                    return GroupedQueryAttention.Attend(q.view(batch, maxNew, heads, _config.HeadDim), keys, values, layout.Mask).view(batch * maxNew, heads * _config.HeadDim);
                }

                var padded = cat([q, q.new_zeros(1, heads, _config.HeadDim)], 0).index_select(0, layout.QueryGather).view(batch, maxNew, heads, _config.HeadDim);
                var attended = GroupedQueryAttention.Attend(padded, keys, values, layout.Mask);
                return attended.view(batch * maxNew, heads * _config.HeadDim).index_select(0, layout.PackedRows);
            });
        }

        return model.norm.forward(h);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rope.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class DecoderStack : nn.Module
    {
        public readonly Embedding embed_tokens;
        public readonly ModuleList<DecoderLayer> layers;
        public readonly RmsNorm norm;

        public DecoderStack(TextConfig config) : base(nameof(DecoderStack))
        {
            embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize);
            layers = new ModuleList<DecoderLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new DecoderLayer(config)).ToArray());
            norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
            RegisterComponents();
        }
    }
}
