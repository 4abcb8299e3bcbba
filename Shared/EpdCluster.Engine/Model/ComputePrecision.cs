using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Model;

/// <summary>
/// Mixed precision for the model's products, like <c>torch.autocast</c>: inside a <see cref="BFloat16"/> scope on the
/// calling thread, every linear layer and convolution of the model multiplies in bfloat16 and hands float32 back;
/// weights, norms, attention's softmax, residual sums and losses stay float32, and gradients reach float32 weights.
/// On CPUs with native bfloat16 dot products (AVX-512 BF16, AMX) a product costs about half; elsewhere libtorch
/// emulates them and they are slower. Outside a scope (serving) nothing changes.
/// </summary>
public static class ComputePrecision
{
    [ThreadStatic]
    private static int t_bfloat16Depth;

    /// <summary>Whether products on this thread run in bfloat16.</summary>
    public static bool IsBFloat16 => t_bfloat16Depth > 0;

    /// <summary>
    /// Whether this CPU multiplies bfloat16 natively (Linux: the <c>avx512_bf16</c> or <c>amx_bf16</c> flag in
    /// <c>/proc/cpuinfo</c>); false where that cannot be read.
    /// </summary>
    public static bool IsBFloat16Native { get; } = ReadBFloat16Flag();

    /// <summary>Products on this thread run in bfloat16 until the returned scope is disposed (scopes nest).</summary>
    public static IDisposable BFloat16()
    {
        t_bfloat16Depth++;
        return new Scope();
    }

    /// <summary><paramref name="layer"/>'s product in the thread's precision; float32 out.</summary>
    internal static Tensor Linear(Tensor x, Linear layer) => Linear(x, layer.weight!, layer.bias);

    /// <summary>x·weightᵀ + bias in the thread's precision; float32 out.</summary>
    internal static Tensor Linear(Tensor x, Tensor weight, Tensor? bias) =>
        IsBFloat16
            ? nn.functional.linear(x.to(bfloat16), weight.to(bfloat16), bias?.to(bfloat16)).to(float32)
            : nn.functional.linear(x, weight, bias);

    /// <summary>A square-kernel convolution in the thread's precision; float32 out.</summary>
    internal static Tensor Conv2d(Tensor x, Conv2d layer, long stride, long padding) =>
        IsBFloat16
            ? nn.functional.conv2d(x.to(bfloat16), layer.weight!.to(bfloat16), layer.bias?.to(bfloat16), strides: [stride, stride], padding: [padding, padding]).to(float32)
            : layer.forward(x);

    private static bool ReadBFloat16Flag()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                && File.ReadLines("/proc/cpuinfo").Any(line => line.StartsWith("flags", StringComparison.Ordinal)
                    && line.Split(' ', ':', '\t').Any(flag => flag is "avx512_bf16" or "amx_bf16"));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private sealed class Scope : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                t_bfloat16Depth--;
            }
        }
    }
}
