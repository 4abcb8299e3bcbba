using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>Root-mean-square norm with a learned scale (Llama).</summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly double _eps;
    private readonly Parameter weight;

    public RmsNorm(int width, double eps) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = new Parameter(torch.ones(width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x * torch.rsqrt(x.pow(2).mean([-1], keepdim: true) + _eps) * weight;
}
