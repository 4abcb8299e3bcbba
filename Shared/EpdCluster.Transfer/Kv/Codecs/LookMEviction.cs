using System.Numerics;
using System.Runtime.InteropServices;
using EpdCluster.Engine.Kv;

namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>
/// LOOK-M (Wan et al., EMNLP Findings 2024) for multimodal prompts: text-prior eviction with averaged merging. Per
/// layer and KV head it keeps every text token, the first <see cref="KvCodecOptions.KeepFirstTokens"/> tokens, the
/// newest <see cref="KvCodecOptions.RecentFraction"/> of the prompt, and the image tokens with the most accumulated
/// attention (from the probe queries) until <see cref="KvCodecOptions.ImageRetention"/> of the image tokens are kept.
/// Each evicted token is merged into the kept token whose key is most cosine-similar: the kept K and V become the mean
/// of themselves and everything merged into them. Every head keeps the same number of slots, in prompt order; slots
/// no longer equal positions, and the next token keeps the original position (the snapshot's Tokens).
/// </summary>
internal sealed class LookMEviction(KvCodecOptions options)
{
    public KvSnapshot Evict(KvSnapshot kv)
    {
        var (layout, tokens) = (kv.Layout, kv.Slots);
        var images = kv.ImageTokens;
        var saliency = kv.Saliency;
        if (images is null || !images.Contains(true) || kv.PositionOffset != 0)
        {
            return kv; // text-only prompts (or KV already evicted) pass through
        }

        if (saliency is null || saliency.Tokens != tokens || images.Length != tokens)
        {
            throw new ArgumentException("LOOK-M needs attention saliency and image flags for every prompt token.", nameof(kv));
        }

        var recentStart = tokens - (int)Math.Ceiling(options.RecentFraction * tokens);
        var protectedTokens = Enumerable.Range(0, tokens).Select(t => !images[t] || t < options.KeepFirstTokens || t >= recentStart).ToArray();
        var candidates = Enumerable.Range(0, tokens).Where(t => !protectedTokens[t]).ToArray();
        var budget = (int)Math.Ceiling(options.ImageRetention * images.Count(i => i));
        var protectedImages = Enumerable.Range(0, tokens).Count(t => images[t] && protectedTokens[t]);
        var chosen = Math.Clamp(budget - protectedImages, 0, candidates.Length);
        var slots = protectedTokens.Count(p => p) + chosen;
        if (chosen == candidates.Length)
        {
            return kv;
        }

        var dim = layout.HeadDim;
        var data = new float[layout.FloatsFor(slots)];
        var keys = new float[tokens * dim];
        var values = new float[tokens * dim];
        var unit = new float[tokens * dim];
        var kept = new bool[tokens];
        for (var layer = 0; layer < layout.Layers; layer++)
        {
            for (var h = 0; h < layout.KvHeads; h++)
            {
                for (var t = 0; t < tokens; t++)
                {
                    kv.Vector(t, layer, KvPlanes.Keys).Slice(h * dim, dim).CopyTo(keys.AsSpan(t * dim));
                    kv.Vector(t, layer, KvPlanes.Values).Slice(h * dim, dim).CopyTo(values.AsSpan(t * dim));
                    Normalize(keys.AsSpan(t * dim, dim), unit.AsSpan(t * dim, dim));
                }

                var (scores, offset) = (saliency.Accumulated, saliency.Offset(layer, h));
                Array.Copy(protectedTokens, kept, tokens);
                foreach (var t in candidates.OrderByDescending(t => scores[offset + t]).ThenBy(t => t).Take(chosen).ToArray())
                {
                    kept[t] = true;
                }

                var keptSlots = Enumerable.Range(0, tokens).Where(t => kept[t]).ToArray();
                Merge(keys, values, unit, kept, keptSlots, dim);
                for (var s = 0; s < keptSlots.Length; s++)
                {
                    keys.AsSpan(keptSlots[s] * dim, dim).CopyTo(data.AsSpan(layout.Offset(s, layer, KvPlanes.Keys) + (h * dim), dim));
                    values.AsSpan(keptSlots[s] * dim, dim).CopyTo(data.AsSpan(layout.Offset(s, layer, KvPlanes.Values) + (h * dim), dim));
                }
            }
        }

        return new KvSnapshot(layout, kv.Tokens, slots, data);
    }

    /// <summary>Averaged merging: each evicted token joins its most similar kept key; kept K/V become the means of their groups (in place).</summary>
    private static void Merge(float[] keys, float[] values, float[] unit, bool[] kept, int[] keptSlots, int dim)
    {
        var groupSize = new int[keys.Length / dim];
        for (var e = 0; e < kept.Length; e++)
        {
            if (kept[e])
            {
                continue;
            }

            var (best, bestSimilarity) = (keptSlots[0], float.NegativeInfinity);
            foreach (var c in keptSlots)
            {
                var similarity = Dot(unit.AsSpan(e * dim, dim), unit.AsSpan(c * dim, dim));
                if (similarity > bestSimilarity)
                {
                    (best, bestSimilarity) = (c, similarity);
                }
            }

            groupSize[best]++;
            Add(keys.AsSpan(best * dim, dim), keys.AsSpan(e * dim, dim));
            Add(values.AsSpan(best * dim, dim), values.AsSpan(e * dim, dim));
        }

        foreach (var c in keptSlots)
        {
            if (groupSize[c] > 0)
            {
                var scale = 1f / (groupSize[c] + 1);
                Scale(keys.AsSpan(c * dim, dim), scale);
                Scale(values.AsSpan(c * dim, dim), scale);
            }
        }
    }

    private static void Normalize(ReadOnlySpan<float> vector, Span<float> unit)
    {
        var norm = MathF.Sqrt(Dot(vector, vector));
        for (var i = 0; i < vector.Length; i++)
        {
            unit[i] = norm > 0 ? vector[i] / norm : 0;
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0f;
        var i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var lanes = Vector<float>.Zero;
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            for (var v = 0; v < va.Length; v++)
            {
                lanes += va[v] * vb[v];
            }

            sum = Vector.Sum(lanes);
            i = va.Length * Vector<float>.Count;
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Add(Span<float> target, ReadOnlySpan<float> source)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] += source[i];
        }
    }

    private static void Scale(Span<float> target, float scale)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] *= scale;
        }
    }
}
