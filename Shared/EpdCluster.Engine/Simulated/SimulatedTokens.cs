using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Simulated;

/// <summary>
/// What the simulated engine computes instead of tensors: 64-bit digests of a prompt (its ids, and the image
/// embeddings it splices in) and tokens drawn deterministically from a digest and a token index. The digest rides in
/// the simulated KV blocks, so a decode worker continues exactly the sequence its prefill worker began.
/// </summary>
public static class SimulatedTokens
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>Digest of the prompt's token ids (checks that imported KV belongs to the prompt it is used for).</summary>
    public static ulong PromptDigest(IReadOnlyList<int> promptIds)
    {
        var hash = FnvOffset;
        foreach (var id in promptIds)
        {
            hash = Add(hash, (uint)id);
        }

        return hash;
    }

    /// <summary>Digest of everything the model would see: the prompt ids and its image embeddings.</summary>
    public static ulong ContentDigest(IReadOnlyList<int> promptIds, IReadOnlyList<PromptImage> images)
    {
        var hash = PromptDigest(promptIds);
        foreach (var image in images)
        {
            hash = Add(hash, (uint)image.Start);
            foreach (var value in image.Embeddings)
            {
                hash = Add(hash, BitConverter.SingleToUInt32Bits(value));
            }
        }

        return hash;
    }

    /// <summary>The token at generated index <paramref name="index"/> of the sequence whose content digest is <paramref name="content"/>.</summary>
    public static int TokenAt(ulong content, int index, IReadOnlyList<int> vocabulary) =>
        vocabulary[(int)(Mix(content ^ ((ulong)(index + 1) * 0x9E3779B97F4A7C15UL)) % (ulong)vocabulary.Count)];

    /// <summary>
    /// The ids the simulated engine emits: whole lower-case words with a leading space (" the", " river"), so streamed
    /// text reads as words; never a stop token or a placeholder. Falls back to every sampleable id.
    /// </summary>
    public static IReadOnlyList<int> WordTokens(EpdTokenizer tokenizer, VocabularyRules rules, int vocabSize)
    {
        var excluded = new HashSet<int>(rules.Unsampleable.Concat(rules.StopTokenIds));
        var limit = Math.Min(rules.SampleableLimit, vocabSize);
        var words = new List<int>();
        for (var id = 0; id < limit; id++)
        {
            if (!excluded.Contains(id) && !tokenizer.IsSpecial(id) && IsWord(tokenizer.TokenBytes(id)))
            {
                words.Add(id);
            }
        }

        return words.Count > 0 ? words : [.. Enumerable.Range(0, limit).Where(id => !excluded.Contains(id))];
    }

    private static bool IsWord(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || bytes[0] != (byte)' ')
        {
            return false;
        }

        foreach (var b in bytes[1..])
        {
            if (b is < (byte)'a' or > (byte)'z')
            {
                return false;
            }
        }

        return true;
    }

    private static ulong Add(ulong hash, uint value)
    {
        for (var shift = 0; shift < 32; shift += 8)
        {
            hash = (hash ^ ((value >> shift) & 0xFF)) * FnvPrime;
        }

        return hash;
    }

    /// <summary>SplitMix64's finalizer: spreads neighbouring inputs over the whole range.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
