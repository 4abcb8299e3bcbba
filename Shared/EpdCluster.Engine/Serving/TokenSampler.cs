using static TorchSharp.torch;

namespace EpdCluster.Engine.Serving;

/// <summary>Turns one step's logits into next tokens: greedy rows in one argmax, sampled rows with their own seeded generator.</summary>
internal sealed class TokenSampler : IDisposable
{
    private readonly Tensor _forbidden;

    public TokenSampler(int vocabularySize, VocabularyRules rules)
    {
        var forbidden = new bool[vocabularySize];
        for (var id = rules.SampleableLimit; id < vocabularySize; id++)
        {
            forbidden[id] = true;
        }

        foreach (var id in rules.Unsampleable)
        {
            forbidden[id] = true;
        }

        _forbidden = tensor(forbidden).DetachFromDisposeScope();
    }

    /// <summary>Samples one token per row of <paramref name="logits"/> [S, vocab].</summary>
    public int[] Sample(Tensor logits, IReadOnlyList<SamplingParams> parameters, IReadOnlyList<Generator> generators)
    {
        var masked = logits.masked_fill(_forbidden, float.NegativeInfinity);
        var tokens = new int[parameters.Count];
        var greedy = masked.argmax(-1).data<long>().ToArray();
        for (var row = 0; row < tokens.Length; row++)
        {
            tokens[row] = parameters[row].IsGreedy ? (int)greedy[row] : SampleRow(masked[row], parameters[row], generators[row]);
        }

        return tokens;
    }

    private static int SampleRow(Tensor logits, SamplingParams p, Generator generator)
    {
        var scaled = logits / p.Temperature;
        if (p.TopK > 0 && p.TopK < scaled.shape[0])
        {
            var kth = scaled.topk(p.TopK).values[-1];
            scaled = scaled.masked_fill(scaled < kth, float.NegativeInfinity);
        }

        if (p.TopP < 1.0)
        {
            var (sorted, order) = scaled.sort(descending: true);
            var probabilities = sorted.softmax(-1);
            // Drop a token when the tokens before it already reach top_p; the most likely token always stays.
            var before = probabilities.cumsum(-1) - probabilities;
            var dropSorted = before >= p.TopP;
            var drop = zeros_like(dropSorted).scatter(0, order, dropSorted);
            scaled = scaled.masked_fill(drop, float.NegativeInfinity);
        }

        return (int)multinomial(scaled.softmax(-1), 1, generator: generator).item<long>();
    }

    public void Dispose() => _forbidden.Dispose();
}
