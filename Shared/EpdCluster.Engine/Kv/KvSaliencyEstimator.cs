using static TorchSharp.torch;

namespace EpdCluster.Engine.Kv;

/// <summary>
/// Scores every prompt token by the attention it receives from the probe queries captured during prefill
/// (<see cref="KvProbeSettings"/>): per layer and KV head, softmax(q·Kᵀ/√d) over the keys each probe can see
/// (keys up to its own position), summed over probes and averaged over the query heads that share the KV head.
/// Runs on the inference thread, reading keys straight from the paged cache.
/// </summary>
internal static class KvSaliencyEstimator
{
    /// <summary>Probes scored at once: bounds the [heads, probes, tokens] attention matrix of long prompts.</summary>
    private const int ProbesPerChunk = 64;

    /// <param name="queries">Per layer, the probes' rotated queries [probes, heads, headDim] in <paramref name="positions"/> order.</param>
    public static KvSaliency Estimate(PagedKvCache cache, IReadOnlyList<int> blocks, int tokens, int[] positions, float[][] queries, int heads)
    {
        var layout = cache.Layout;
        if (queries.Length != layout.Layers || positions.Length == 0 || positions[^1] >= tokens)
        {
            throw new ArgumentException($"Saliency needs probe queries for {layout.Layers} layers at positions inside the {tokens}-token prompt.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (kvHeads, headDim, probes) = (layout.KvHeads, layout.HeadDim, positions.Length);
        var groups = heads / kvHeads;
        var blockTable = tensor(blocks.Select(b => (long)b).ToArray(), int64).view(1, -1);
        var keyIndex = arange(tokens, dtype: int64).unsqueeze(0);
        var probePositions = tensor(positions.Select(p => (long)p).ToArray(), int64);
        var accumulated = new float[layout.Layers * kvHeads * tokens];
        for (var layer = 0; layer < layout.Layers; layer++)
        {
            var (keys, _) = cache.Gather(layer, blockTable);
            var k = keys[0].narrow(0, 0, tokens).permute(1, 2, 0); // [kvHeads, headDim, tokens]
            var q = tensor(queries[layer], [probes, heads, headDim]);
            var sum = zeros(kvHeads, tokens);
            for (var first = 0; first < probes; first += ProbesPerChunk)
            {
                var count = Math.Min(ProbesPerChunk, probes - first);
                var chunk = q.narrow(0, first, count).view(count, kvHeads, groups, headDim).permute(1, 2, 0, 3).reshape(kvHeads, groups * count, headDim);
                var visible = keyIndex.le(probePositions.narrow(0, first, count).unsqueeze(1)); // [count, tokens]
                var hidden = visible.logical_not().unsqueeze(0).expand(groups, count, tokens).reshape(groups * count, tokens);
                var logits = matmul(chunk, k).mul_(1.0 / Math.Sqrt(headDim)).masked_fill_(hidden, float.NegativeInfinity);
                sum.add_(logits.softmax(-1).sum(1));
            }

            sum.div_(groups).contiguous().data<float>().CopyTo(accumulated, layer * kvHeads * tokens);
        }

        // A token is visible to every probe at or after it: the normalizer of ZipCache's score.
        var seenBy = new int[tokens];
        foreach (var position in positions)
        {
            seenBy[position]++;
        }

        for (var i = tokens - 2; i >= 0; i--)
        {
            seenBy[i] += seenBy[i + 1];
        }

        var normalized = new float[accumulated.Length];
        for (var i = 0; i < accumulated.Length; i++)
        {
            normalized[i] = accumulated[i] / seenBy[i % tokens];
        }

        return new KvSaliency(layout.Layers, kvHeads, tokens, accumulated, normalized, probes);
    }
}
