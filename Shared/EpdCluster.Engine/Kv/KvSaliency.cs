namespace EpdCluster.Engine.Kv;

/// <summary>
/// How much attention each prompt token received from the probe queries, per layer and KV head ([layers, kvHeads,
/// tokens] each). <see cref="Accumulated"/> sums attention over probes (averaged over the query heads sharing a KV
/// head); <see cref="Normalized"/> divides that by the number of probes that can see the token, which removes the
/// causal bias towards early tokens (ZipCache's normalized attention score).
/// </summary>
public sealed class KvSaliency
{
    public KvSaliency(int layers, int kvHeads, int tokens, float[] accumulated, float[] normalized, int probes)
    {
        var length = checked(layers * kvHeads * tokens);
        if (accumulated.Length != length || normalized.Length != length)
        {
            throw new ArgumentException($"Saliency of {layers} layers × {kvHeads} KV heads × {tokens} tokens needs {length} scores each.");
        }

        Layers = layers;
        KvHeads = kvHeads;
        Tokens = tokens;
        Accumulated = accumulated;
        Normalized = normalized;
        Probes = probes;
    }

    public int Layers { get; }

    public int KvHeads { get; }

    public int Tokens { get; }

    public float[] Accumulated { get; }

    public float[] Normalized { get; }

    /// <summary>Probe queries the scores come from.</summary>
    public int Probes { get; }

    /// <summary>The <see cref="Tokens"/> scores of one layer and KV head, starting at this index.</summary>
    public int Offset(int layer, int kvHead) => ((layer * KvHeads) + kvHead) * Tokens;
}
