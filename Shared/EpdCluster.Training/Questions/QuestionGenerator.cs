using System.Globalization;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Questions;

/// <summary>Derives questions and their answers from a scene description; the answer is always unambiguous.</summary>
public static class QuestionGenerator
{
    public static SceneQuestion Ask(Scene scene, QuestionKind kind, Random random)
    {
        ArgumentNullException.ThrowIfNull(scene);
        if (scene.Shapes.Count == 0)
        {
            throw new ArgumentException("A scene to ask about needs at least one shape.", nameof(scene));
        }

        var shape = scene.Shapes[random.Next(scene.Shapes.Count)];
        return kind switch
        {
            QuestionKind.Colour => new(kind, Pick(random, $"What colour is the {shape.Kind.Word()}?", $"What is the colour of the {shape.Kind.Word()}?"), shape.Colour.Name, shape.Kind),
            QuestionKind.Shape => new(kind, Pick(random, $"Which shape is {shape.Position.Phrase()}?", $"What shape is {shape.Position.Phrase()}?"), shape.Kind.Word(), shape.Kind),
            QuestionKind.Count => new(kind, Pick(random, "How many shapes are there?", "How many shapes are in the image?"), scene.Shapes.Count.ToString(CultureInfo.InvariantCulture)),
            QuestionKind.YesNo => AskYesNo(scene, random),
            QuestionKind.Caption => new(kind, Pick(random, "Describe the image.", "What is in the picture?"), scene.Caption()),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>Half yes, half no; a "no" names either a present shape in another colour or an absent shape.</summary>
    private static SceneQuestion AskYesNo(Scene scene, Random random)
    {
        var shape = scene.Shapes[random.Next(scene.Shapes.Count)];
        if (random.Next(2) == 0)
        {
            return new(QuestionKind.YesNo, $"Is there {shape.Colour.WithArticle()} {shape.Kind.Word()}?", "yes", shape.Kind);
        }

        var absentKinds = ShapeKinds.All.Where(k => scene.Shapes.All(s => s.Kind != k)).ToList();
        if (absentKinds.Count > 0 && random.Next(2) == 0)
        {
            var absent = absentKinds[random.Next(absentKinds.Count)];
            var colour = ShapeColour.Palette[random.Next(ShapeColour.Palette.Count)];
            return new(QuestionKind.YesNo, $"Is there {colour.WithArticle()} {absent.Word()}?", "no");
        }

        var otherColours = ShapeColour.Palette.Where(c => c != shape.Colour).ToList();
        var wrong = otherColours[random.Next(otherColours.Count)];
        return new(QuestionKind.YesNo, $"Is there {wrong.WithArticle()} {shape.Kind.Word()}?", "no", shape.Kind);
    }

    private static string Pick(Random random, params string[] phrasings) => phrasings[random.Next(phrasings.Length)];
}
