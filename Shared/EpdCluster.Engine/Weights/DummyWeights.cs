using EpdCluster.Engine.Model;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Weights;

/// <summary>
/// Seeded, deterministic weights for a model that has no trained checkpoint (like vLLM's
/// <c>--load-format dummy</c>). Written once to a model directory that every worker then loads, so all
/// processes hold bit-identical weights.
/// </summary>
public static class DummyWeights
{
    /// <summary>Bumped whenever parameter names or shapes change, so cached dummy checkpoints of an older layout are not reused.</summary>
    public const int LayoutVersion = 4;

    /// <summary>Standard deviation of the normal initialisation (Llama's and CLIP's initializer_range).</summary>
    public const double InitializerRange = 0.02;

    /// <summary>
    /// Fills every parameter: norms' scales 1, biases 0, convolutional stem kernels N(0, 2 / fan-in) (He: a stack of
    /// convolutions keeps its signal), the rest N(0, <see cref="InitializerRange"/>²), in name order from
    /// <paramref name="seed"/>. Any module: the model, or a training-only head.
    /// </summary>
    public static void Initialize(TorchSharp.torch.nn.Module model, long seed)
    {
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var (name, parameter) in model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            using var scope = NewDisposeScope();
            if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else if (IsNormScale(name))
            {
                parameter.fill_(1.0);
            }
            else if (name.Contains(".stem.", StringComparison.Ordinal) && parameter.dim() == 4)
            {
                var fanIn = parameter.shape[1] * parameter.shape[2] * parameter.shape[3];
                parameter.copy_(randn(parameter.shape, generator: generator) * Math.Sqrt(2.0 / fanIn));
            }
            else
            {
                parameter.copy_(randn(parameter.shape, generator: generator) * InitializerRange);
            }
        }
    }

    /// <summary>
    /// Makes sure <paramref name="directory"/> holds the dummy checkpoint of <paramref name="config"/> for
    /// <paramref name="seed"/>, writing it if absent; safe when several processes race (atomic renames,
    /// identical content).
    /// </summary>
    public static string EnsureCheckpoint(EpdModelConfig config, string directory, long seed)
    {
        if (File.Exists(Path.Combine(directory, ModelCheckpoint.WeightsFileName)) && File.Exists(Path.Combine(directory, ModelCheckpoint.ConfigFileName)))
        {
            return directory;
        }

        using var model = new MultimodalModel(config);
        Initialize(model, seed);
        ModelCheckpoint.Save(model, directory, asFloat16: false, new Dictionary<string, string> { ["format"] = "pt", ["epd.load_format"] = "dummy", ["epd.seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return directory;
    }

    private static bool IsNormScale(string name) =>
        name.EndsWith("norm.weight", StringComparison.Ordinal)
        || name.EndsWith("layernorm.weight", StringComparison.Ordinal)
        || name.Contains(".layer_norm", StringComparison.Ordinal);
}
