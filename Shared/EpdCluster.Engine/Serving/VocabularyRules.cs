using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// Which token ids the sampler may produce and which end a sequence. The model's embedding table is padded
/// beyond the tokenizer's vocabulary, and placeholders such as the image token must never be generated.
/// </summary>
/// <param name="SampleableLimit">Ids at or above this are never sampled (the tokenizer's vocabulary size).</param>
/// <param name="Unsampleable">Ids below the limit that are never sampled (image placeholder, turn start).</param>
/// <param name="StopTokenIds">Ids that end a sequence unless the request ignores stop tokens.</param>
public sealed record VocabularyRules(int SampleableLimit, IReadOnlyList<int> Unsampleable, IReadOnlyList<int> StopTokenIds)
{
    /// <summary>The rules for models served with <see cref="EpdTokenizer"/>: end of text and end of turn stop; turn start and image placeholders are never generated.</summary>
    public static VocabularyRules ForTokenizer(EpdTokenizer tokenizer) =>
        new(tokenizer.VocabularySize, [EpdTokenizer.ImStartId, EpdTokenizer.ImageId], [EpdTokenizer.EndOfTextId, EpdTokenizer.ImEndId]);
}
