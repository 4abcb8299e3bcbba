using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>Bidirectional multi-head self-attention over a tile's patches (CLIP layout: q/k/v/out projections with bias).</summary>
internal sealed class VisionAttention : nn.Module<Tensor, Tensor>
{
    private readonly int _heads;
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear out_proj;

    public VisionAttention(VisionConfig config) : base(nameof(VisionAttention))
    {
        _heads = config.NumAttentionHeads;
        q_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        k_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        v_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        out_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <param name="x">[tiles, patches, width]</param>
    public override Tensor forward(Tensor x)
    {
        var (n, l, width) = (x.shape[0], x.shape[1], x.shape[2]);
        var headDim = width / _heads;
        Tensor Split(Tensor t) => t.view(n, l, _heads, headDim).transpose(1, 2);
        var attended = nn.functional.scaled_dot_product_attention(Split(ComputePrecision.Linear(x, q_proj)), Split(ComputePrecision.Linear(x, k_proj)), Split(ComputePrecision.Linear(x, v_proj)));
        return ComputePrecision.Linear(attended.transpose(1, 2).reshape(n, l, width), out_proj);
    }
}
