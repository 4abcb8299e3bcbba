using System.Globalization;

namespace EpdCluster.Training.Questions;

/// <summary>
/// How often training asks each kind of question: relative weights, drawn as one of their sum. The default asks
/// captions least (at ~25 tokens each they would otherwise dominate the per-token loss): colour, shape and count
/// 4 in 20 each, yes/no 5, captions 3.
/// </summary>
public sealed record QuestionMix(int Colour, int Shape, int Count, int YesNo, int Caption)
{
    public static QuestionMix Default { get; } = new(4, 4, 4, 5, 3);

    public int Total => Colour + Shape + Count + YesNo + Caption;

    public QuestionKind Draw(Random random)
    {
        var pick = random.Next(Total);
        foreach (var (kind, weight) in Weights)
        {
            if (pick < weight)
            {
                return kind;
            }

            pick -= weight;
        }

        throw new InvalidOperationException("unreachable: the pick is below the weights' sum");
    }

    /// <summary>Parses "colour,shape,count,yesno,caption" weights, e.g. <c>4,4,4,5,3</c>.</summary>
    public static QuestionMix Parse(string text)
    {
        var w = text.Split(',', StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var weight) ? weight : -1)
            .ToArray();
        if (w.Length != 5 || w.Contains(-1))
        {
            throw new ArgumentException($"A question mix is five non-negative integers (colour,shape,count,yesno,caption), not '{text}'.");
        }

        var mix = new QuestionMix(w[0], w[1], w[2], w[3], w[4]);
        mix.Validate();
        return mix;
    }

    public void Validate()
    {
        if (Weights.Any(w => w.Weight < 0) || Total <= 0 || Total > 1000)
        {
            throw new ArgumentException($"A question mix needs non-negative weights summing to between 1 and 1000, not {this}.");
        }
    }

    public override string ToString() => $"{Colour},{Shape},{Count},{YesNo},{Caption}";

    private IEnumerable<(QuestionKind Kind, int Weight)> Weights =>
    [
        (QuestionKind.Colour, Colour), (QuestionKind.Shape, Shape), (QuestionKind.Count, Count),
        (QuestionKind.YesNo, YesNo), (QuestionKind.Caption, Caption),
    ];
}
