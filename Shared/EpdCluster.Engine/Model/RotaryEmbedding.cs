using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>
/// Rotary position embedding (RoPE) in Llama's "rotate half" layout: cos/sin tables for every position up to
/// the context length, built once and kept for the model's lifetime.
/// </summary>
internal sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor _cos;
    private readonly Tensor _sin;

    public RotaryEmbedding(int headDim, int maxPositions, double theta)
    {
        using var scope = NewDisposeScope();
        var inverseFrequencies = 1.0 / pow(theta, arange(0, headDim, 2, dtype: float64) / headDim);
        var angles = outer(arange(maxPositions, dtype: float64), inverseFrequencies);
        var table = cat([angles, angles], dim: -1);
        _cos = table.cos().to(float32).DetachFromDisposeScope();
        _sin = table.sin().to(float32).DetachFromDisposeScope();
    }

    /// <summary>cos and sin rows for <paramref name="positions"/> (int64, any shape) → [..., headDim].</summary>
    public (Tensor Cos, Tensor Sin) At(Tensor positions) => (_cos.index_select(0, positions.flatten()).view([.. positions.shape, -1]),
        _sin.index_select(0, positions.flatten()).view([.. positions.shape, -1]));

    /// <summary>Rotates <paramref name="x"/> [..., heads, headDim] by angles whose cos/sin are [..., headDim] (broadcast over heads).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], dim: -1);
        return (x * cos.unsqueeze(-2)) + (rotated * sin.unsqueeze(-2));
    }

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}
