using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>Linear → GELU → Linear, with the two layers' parameter names given by the caller (fc1/fc2 in ViT, linear_1/linear_2 in the projector).</summary>
internal sealed class GeluMlp : nn.Module<Tensor, Tensor>
{
    // An array, not two fields: TorchSharp would register Module-typed fields a second time under their field names.
    private readonly Linear[] _layers;
    private readonly bool _quick;

    /// <param name="activation"><c>gelu</c>, or <c>quick_gelu</c> (x·σ(1.702x), OpenAI CLIP's approximation).</param>
    public GeluMlp(int inputs, int hidden, int outputs, string firstName, string secondName, string activation = "gelu") : base(nameof(GeluMlp))
    {
        _quick = activation == "quick_gelu";
        _layers = [nn.Linear(inputs, hidden), nn.Linear(hidden, outputs)];
        register_module(firstName, _layers[0]);
        register_module(secondName, _layers[1]);
    }

    public override Tensor forward(Tensor x)
    {
        var h = ComputePrecision.Linear(x, _layers[0]);
        return ComputePrecision.Linear(_quick ? h * torch.sigmoid(h * QuickGeluScale) : nn.functional.gelu(h), _layers[1]);
    }

    /// <summary>The constant of OpenAI CLIP's quick GELU.</summary>
    private const double QuickGeluScale = 1.702;
}
