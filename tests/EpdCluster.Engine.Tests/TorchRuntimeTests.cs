using EpdCluster.Engine.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Tests;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Self_check_passes_and_reports_the_loaded_runtime()
    {
        var info = TorchRuntime.SelfCheck();

        Assert.StartsWith("0.107", info.TorchSharpVersion);
        Assert.Equal("cpu", info.Device);
        Assert.True(info.IntraOpThreads >= 1);
    }

    [Fact]
    public void Matmul_matches_a_plain_loop_reference()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new Random(17);
        var a = RandomMatrix(generator, 5, 7);
        var b = RandomMatrix(generator, 7, 3);

        var product = torch.matmul(torch.tensor(a, [5, 7]), torch.tensor(b, [7, 3])).data<float>().ToArray();

        for (var i = 0; i < 5; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                double expected = 0;
                for (var k = 0; k < 7; k++)
                {
                    expected += a[(i * 7) + k] * b[(k * 3) + j];
                }

                Assert.Equal(expected, product[(i * 3) + j], 1e-4);
            }
        }
    }

    [Fact]
    public void Causal_scaled_dot_product_attention_matches_a_plain_loop_reference()
    {
        using var scope = torch.NewDisposeScope();
        const int heads = 2, tokens = 6, dim = 8;
        var generator = new Random(29);
        var q = RandomMatrix(generator, heads * tokens, dim);
        var k = RandomMatrix(generator, heads * tokens, dim);
        var v = RandomMatrix(generator, heads * tokens, dim);

        var output = nn.functional.scaled_dot_product_attention(
                torch.tensor(q, [1, heads, tokens, dim]),
                torch.tensor(k, [1, heads, tokens, dim]),
                torch.tensor(v, [1, heads, tokens, dim]),
                is_casual: true)
            .data<float>().ToArray();

        for (var h = 0; h < heads; h++)
        {
            for (var t = 0; t < tokens; t++)
            {
                var expected = ReferenceAttentionRow(q, k, v, h, t, tokens, dim);
                for (var d = 0; d < dim; d++)
                {
                    Assert.Equal(expected[d], output[(((h * tokens) + t) * dim) + d], 1e-4);
                }
            }
        }
    }

    [Fact]
    public void Build_output_library_is_patched_only_when_the_system_lacks_the_glibcxx_version()
    {
        var systemLib = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        if (systemLib is null)
        {
            Assert.Skip("no system libstdc++ at a known path");
        }

        var systemHasVersion = File.ReadAllText(systemLib, System.Text.Encoding.Latin1).Contains("GLIBCXX_3.4.32\0", StringComparison.Ordinal);
        var output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), $"{output} is missing");

        var flags = ReadElf.VersionNeedFlags(output, "GLIBCXX_3.4.32");

        Assert.Equal(systemHasVersion ? "none" : "WEAK", flags);
    }

    private static float[] RandomMatrix(Random generator, int rows, int cols) =>
        Enumerable.Range(0, rows * cols).Select(_ => (float)((generator.NextDouble() * 2) - 1)).ToArray();

    private static double[] ReferenceAttentionRow(float[] q, float[] k, float[] v, int head, int t, int tokens, int dim)
    {
        var scale = 1 / Math.Sqrt(dim);
        var scores = new double[t + 1];
        for (var s = 0; s <= t; s++)
        {
            double dot = 0;
            for (var d = 0; d < dim; d++)
            {
                dot += q[(((head * tokens) + t) * dim) + d] * k[(((head * tokens) + s) * dim) + d];
            }

            scores[s] = dot * scale;
        }

        var max = scores.Max();
        var weights = scores.Select(x => Math.Exp(x - max)).ToArray();
        var sum = weights.Sum();
        var row = new double[dim];
        for (var s = 0; s <= t; s++)
        {
            for (var d = 0; d < dim; d++)
            {
                row[d] += weights[s] / sum * v[(((head * tokens) + s) * dim) + d];
            }
        }

        return row;
    }
}
