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
    private (Tensor Qkv, Tensor GateUp)? _fused;

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
        var (heads, kvHeads, d) = (_config.NumAttentionHeads, _config.NumKeyValueHeads, _config.HeadDim);
        Tensor q, k, v;
        if (training)
        {
            q = RotaryEmbedding.Apply(ComputePrecision.Linear(x, self_attn.q_proj).view([.. lead, heads, d]), cos, sin);
            k = RotaryEmbedding.Apply(ComputePrecision.Linear(x, self_attn.k_proj).view([.. lead, kvHeads, d]), cos, sin);
            v = ComputePrecision.Linear(x, self_attn.v_proj).view([.. lead, kvHeads, d]);
        }
        else
        {
            // Serving: one product for q, k and v and one rotation for q and k — fewer, larger operations per step.
            var qkv = ComputePrecision.Linear(x, FusedWeights().Qkv, null).view([.. lead, heads + (2 * kvHeads), d]);
            var qk = RotaryEmbedding.Apply(qkv.narrow(-2, 0, heads + kvHeads), cos, sin);
            q = qk.narrow(-2, 0, heads);
            k = qk.narrow(-2, heads, kvHeads);
            v = qkv.narrow(-2, heads + kvHeads, kvHeads);
        }

        h = h + ComputePrecision.Linear(attend(q, k, v), self_attn.o_proj);
        return h + (training ? mlp.forward(post_attention_layernorm.forward(h)) : mlp.ForwardFused(post_attention_layernorm.forward(h), FusedWeights().GateUp));
    }

    /// <summary>Concatenated projection weights for serving, built on first use in eval mode and dropped when training starts.</summary>
    private (Tensor Qkv, Tensor GateUp) FusedWeights()
    {
        if (_fused is null)
        {
            using var noGrad = torch.no_grad();
            _fused = (
                torch.cat([self_attn.q_proj.weight!, self_attn.k_proj.weight!, self_attn.v_proj.weight!], 0).DetachFromDisposeScope(),
                mlp.FusedGateUpWeight().DetachFromDisposeScope());
        }

        return _fused.Value;
    }

    /// <summary>Drops the serving weights (call after changing parameters in eval mode).</summary>
    public void InvalidateFusedWeights()
    {
        if (_fused is { } fused)
        {
            fused.Qkv.Dispose();
            fused.GateUp.Dispose();
            _fused = null;
        }
    }

    public override void train(bool on = true)
    {
        base.train(on);
        if (on)
        {
            InvalidateFusedWeights();
        }
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

        public override Tensor forward(Tensor x) =>
            ComputePrecision.Linear(nn.functional.silu(ComputePrecision.Linear(x, gate_proj)) * ComputePrecision.Linear(x, up_proj), down_proj);

        public Tensor FusedGateUpWeight() => torch.cat([gate_proj.weight!, up_proj.weight!], 0);

        /// <summary>The same MLP with gate and up projections as one product (<paramref name="gateUp"/> from <see cref="FusedGateUpWeight"/>).</summary>
        public Tensor ForwardFused(Tensor x, Tensor gateUp)
        {
            var both = ComputePrecision.Linear(x, gateUp, null).chunk(2, -1);
            return ComputePrecision.Linear(nn.functional.silu(both[0]) * both[1], down_proj);
        }
    }
}
