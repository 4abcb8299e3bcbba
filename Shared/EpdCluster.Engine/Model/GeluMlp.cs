using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>Linear → GELU → Linear, with the two layers' parameter names given by the caller (fc1/fc2 in ViT, linear_1/linear_2 in the projector).</summary>
internal sealed class GeluMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear _first;
    private readonly Linear _second;

    public GeluMlp(int inputs, int hidden, int outputs, string firstName, string secondName) : base(nameof(GeluMlp))
    {
        _first = nn.Linear(inputs, hidden);
        _second = nn.Linear(hidden, outputs);
        register_module(firstName, _first);
        register_module(secondName, _second);
    }

    public override Tensor forward(Tensor x) => _second.forward(nn.functional.gelu(_first.forward(x)));
}
