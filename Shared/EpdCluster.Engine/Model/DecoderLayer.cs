using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>
/// One Llama block: h + o_proj(attention(RoPE(q), RoPE(k), v)) on RMS-normed input, then h + SwiGLU MLP.
/// How attention sees earlier tokens (a causal mask over the batch, or a paged KV cache) is the caller's.
/// </summary>
internal sealed class DecoderLayer : nn.Module
{
    private readonly TextConfig _config;
    private readonly RmsNorm input_layernorm;
    private readonly SelfAttentionProjections self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly SwiGluMlp mlp;

    public DecoderLayer(TextConfig config) : base(nameof(DecoderLayer))
    {
        _config = config;
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        self_attn = new SelfAttentionProjections(config);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        mlp = new SwiGluMlp(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    /// <param name="h">[..., width] hidden states of the new tokens.</param>
    /// <param name="cos">[..., headDim] rotary cos for each new token's position.</param>
    /// <param name="sin">[..., headDim] rotary sin.</param>
    /// <param name="attend">(q [..., H, d], k [..., kvH, d], v [..., kvH, d]) → [..., H·d].</param>
    public Tensor Forward(Tensor h, Tensor cos, Tensor sin, Func<Tensor, Tensor, Tensor, Tensor> attend)
    {
        var x = input_layernorm.forward(h);
        long[] lead = h.shape[..^1];
        var q = RotaryEmbedding.Apply(self_attn.q_proj.forward(x).view([.. lead, _config.NumAttentionHeads, _config.HeadDim]), cos, sin);
        var k = RotaryEmbedding.Apply(self_attn.k_proj.forward(x).view([.. lead, _config.NumKeyValueHeads, _config.HeadDim]), cos, sin);
        var v = self_attn.v_proj.forward(x).view([.. lead, _config.NumKeyValueHeads, _config.HeadDim]);
        h = h + self_attn.o_proj.forward(attend(q, k, v));
        return h + mlp.forward(post_attention_layernorm.forward(h));
    }

    private sealed class SelfAttentionProjections : nn.Module
    {
        public readonly Linear q_proj;
        public readonly Linear k_proj;
        public readonly Linear v_proj;
        public readonly Linear o_proj;

        public SelfAttentionProjections(TextConfig config) : base(nameof(SelfAttentionProjections))
        {
            q_proj = nn.Linear(config.HiddenSize, config.NumAttentionHeads * config.HeadDim, hasBias: false);
            k_proj = nn.Linear(config.HiddenSize, config.NumKeyValueHeads * config.HeadDim, hasBias: false);
            v_proj = nn.Linear(config.HiddenSize, config.NumKeyValueHeads * config.HeadDim, hasBias: false);
            o_proj = nn.Linear(config.NumAttentionHeads * config.HeadDim, config.HiddenSize, hasBias: false);
            RegisterComponents();
        }
    }

    private sealed class SwiGluMlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear gate_proj;
        private readonly Linear up_proj;
        private readonly Linear down_proj;

        public SwiGluMlp(int width, int hidden) : base(nameof(SwiGluMlp))
        {
            gate_proj = nn.Linear(width, hidden, hasBias: false);
            up_proj = nn.Linear(width, hidden, hasBias: false);
            down_proj = nn.Linear(hidden, width, hasBias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => down_proj.forward(nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x));
    }
}
