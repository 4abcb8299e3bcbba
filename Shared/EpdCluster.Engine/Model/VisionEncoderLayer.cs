using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>Pre-norm ViT block: x + attn(LN(x)), then x + MLP(LN(x)) with a GELU MLP.</summary>
internal sealed class VisionEncoderLayer : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm layer_norm1;
    private readonly VisionAttention self_attn;
    private readonly LayerNorm layer_norm2;
    private readonly GeluMlp mlp;

    public VisionEncoderLayer(VisionConfig config) : base(nameof(VisionEncoderLayer))
    {
        layer_norm1 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        self_attn = new VisionAttention(config);
        layer_norm2 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        mlp = new GeluMlp(config.HiddenSize, config.IntermediateSize, config.HiddenSize, "fc1", "fc2", config.HiddenAct);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = x + self_attn.forward(layer_norm1.forward(x));
        return x + mlp.forward(layer_norm2.forward(x));
    }
}
