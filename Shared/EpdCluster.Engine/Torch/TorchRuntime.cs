using TorchSharp;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Torch;

/// <summary>
/// Loads libtorch and proves it computes, so a worker with a broken native install fails at start-up
/// with a clear message instead of on its first request.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Sets the intra-op thread count (0 keeps libtorch's default) and runs <see cref="SelfCheck"/>.</summary>
    public static TorchRuntimeInfo Initialize(int intraOpThreads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        try
        {
            if (intraOpThreads > 0)
            {
                torch.set_num_threads(intraOpThreads); // the process's count, which threads that have not computed yet take
            }

            return SelfCheck();
        }
        catch (TypeInitializationException e)
        {
            throw new InvalidOperationException(
                "libtorch failed to load. On Debian 12 the build marks libLibTorchSharp.so's GLIBCXX_3.4.32 need as weak; " +
                "rebuild with 'dotnet build' so that step runs (see README, Troubleshooting). Cause: " + (e.InnerException?.Message ?? e.Message),
                e);
        }
    }

    /// <summary>
    /// Makes the calling thread compute with <paramref name="intraOpThreads"/> intra-op threads (0 leaves it as it is).
    /// libtorch keeps the count per OS thread: a thread that has computed keeps the count it started with when another
    /// thread sets a new one, so code that computes on whichever thread runs it (an await's continuation) calls this
    /// before each piece of work; the count decides how sums are split, so a step on another count rounds differently.
    /// Sets only when the thread's count differs (setting it also clears oneDNN's cache of convolution kernels).
    /// </summary>
    public static void UseThreads(int intraOpThreads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        if (intraOpThreads > 0 && torch.get_num_threads() != intraOpThreads)
        {
            torch.set_num_threads(intraOpThreads);
        }
    }

    /// <summary>
    /// Runs a matrix product and scaled-dot-product attention on inputs whose results are known exactly,
    /// and throws if libtorch computes anything else.
    /// </summary>
    public static TorchRuntimeInfo SelfCheck()
    {
        using var scope = torch.NewDisposeScope();

        // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        var b = torch.tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        var product = torch.matmul(a, b).data<float>().ToArray();
        float[] expected = [19, 22, 43, 50];
        if (!product.SequenceEqual(expected))
        {
            throw new InvalidOperationException($"libtorch matmul self-check failed: got [{string.Join(", ", product)}].");
        }

        // With a single key, attention weights are exactly 1, so the output equals the value row.
        var query = torch.ones(1, 1, 1, 4);
        var key = torch.ones(1, 1, 1, 4);
        var value = torch.tensor(new float[] { 0.5f, -1, 2, 3 }, [1, 1, 1, 4]);
        var attended = nn.functional.scaled_dot_product_attention(query, key, value).data<float>().ToArray();
        if (!attended.SequenceEqual(new[] { 0.5f, -1, 2, 3 }))
        {
            throw new InvalidOperationException($"libtorch attention self-check failed: got [{string.Join(", ", attended)}].");
        }

        return new TorchRuntimeInfo(
            typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            "cpu",
            torch.get_num_interop_threads(),
            torch.get_num_threads());
    }
}
