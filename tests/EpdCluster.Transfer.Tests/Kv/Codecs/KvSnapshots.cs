using EpdCluster.Engine.Kv;

namespace EpdCluster.Transfer.Tests.Kv.Codecs;

/// <summary>Synthetic KV snapshots: Gaussian K/V with a few outlier channels, optional saliency and image flags.</summary>
internal static class KvSnapshots
{
    public static KvLayout Layout { get; } = new(Layers: 2, KvHeads: 2, HeadDim: 32, BlockSize: 16);

    public static KvSnapshot Random(int tokens, int seed, bool withSaliency = false, Func<int, bool>? isImage = null)
    {
        var random = new Random(seed);
        var data = new float[Layout.FloatsFor(tokens)];
        var kv = new KvSnapshot(Layout, tokens, tokens, data)
        {
            Saliency = withSaliency ? Saliency(tokens, random) : null,
            ImageTokens = isImage is null ? null : [.. Enumerable.Range(0, tokens).Select(isImage)],
        };
        for (var t = 0; t < tokens; t++)
        {
            for (var layer = 0; layer < Layout.Layers; layer++)
            {
                for (var kind = 0; kind < 2; kind++)
                {
                    var vector = kv.Vector(t, layer, kind);
                    for (var c = 0; c < vector.Length; c++)
                    {
                        // Channel 3 of the keys is an outlier channel, as KIVI observes in real models.
                        var scale = kind == 0 && c % 32 == 3 ? 20.0 : 1.0;
                        vector[c] = (float)(Gaussian(random) * scale);
                    }
                }
            }
        }

        return kv;
    }

    private static KvSaliency Saliency(int tokens, Random random)
    {
        var scores = Enumerable.Range(0, Layout.Layers * Layout.KvHeads * tokens).Select(_ => (float)random.NextDouble()).ToArray();
        return new KvSaliency(Layout.Layers, Layout.KvHeads, tokens, scores, [.. scores], probes: 4);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
