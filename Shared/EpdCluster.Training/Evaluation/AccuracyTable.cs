using System.Globalization;
using System.Text;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Evaluation;

/// <summary>Exact-match counts per (question kind, layout), printable as a Markdown table.</summary>
public sealed class AccuracyTable
{
    private readonly Dictionary<(QuestionKind Kind, SceneLayout Layout), (int Correct, int Total)> _cells = [];

    public void Add(QuestionKind kind, SceneLayout layout, bool correct)
    {
        var (c, t) = _cells.GetValueOrDefault((kind, layout));
        _cells[(kind, layout)] = (c + (correct ? 1 : 0), t + 1);
    }

    public int Total => _cells.Values.Sum(v => v.Total);

    public int Correct => _cells.Values.Sum(v => v.Correct);

    public double Overall => Ratio(Correct, Total);

    /// <summary>Accuracy over the given kinds (all kinds when none given) for one layout, or both when null.</summary>
    public double Accuracy(SceneLayout? layout, params QuestionKind[] kinds)
    {
        var selected = _cells.Where(kv => (layout is null || kv.Key.Layout == layout) && (kinds.Length == 0 || kinds.Contains(kv.Key.Kind))).ToList();
        return Ratio(selected.Sum(kv => kv.Value.Correct), selected.Sum(kv => kv.Value.Total));
    }

    public (int Correct, int Total) Cell(QuestionKind kind, SceneLayout layout) => _cells.GetValueOrDefault((kind, layout));

    /// <summary>A row per question kind, a column per layout, plus the colour/shape/count aggregate the quality bar uses.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| question | single tile | multi tile | both |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var kind in QuestionKinds.All)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {Format(kind, SceneLayout.SingleTile)} | {Format(kind, SceneLayout.MultiTile)} | {Percent(Accuracy(null, kind))} |");
        }

        QuestionKind[] bar = [QuestionKind.Colour, QuestionKind.Shape, QuestionKind.Count];
        text.AppendLine(CultureInfo.InvariantCulture, $"| colour + shape + count | {Percent(Accuracy(SceneLayout.SingleTile, bar))} | {Percent(Accuracy(SceneLayout.MultiTile, bar))} | {Percent(Accuracy(null, bar))} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| all | {Percent(Accuracy(SceneLayout.SingleTile))} | {Percent(Accuracy(SceneLayout.MultiTile))} | {Percent(Overall)} |");
        return text.ToString();
    }

    /// <summary>One line: overall and per kind.</summary>
    public string Summary() =>
        $"{Percent(Overall)} ({string.Join(", ", QuestionKinds.All.Select(k => $"{k.ToString().ToLowerInvariant()} {Percent(Accuracy(null, k))}"))})";

    private string Format(QuestionKind kind, SceneLayout layout)
    {
        var (c, t) = Cell(kind, layout);
        return t == 0 ? "–" : $"{Percent(Ratio(c, t))} ({c}/{t})";
    }

    private static double Ratio(int correct, int total) => total == 0 ? double.NaN : (double)correct / total;

    private static string Percent(double value) => double.IsNaN(value) ? "–" : (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
