using System.Globalization;
using EpdCluster.Training.Data;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Evaluation;

/// <summary>
/// What a wrong reply names instead of the answer. A reply that names another shape of the scene, or that shape's
/// colour, saw the picture and looked in the wrong place; one that names something the scene does not hold did not
/// see it; one of another kind of answer did not follow the question.
/// </summary>
public enum AnswerMistake
{
    None,

    /// <summary>A colour question answered with the colour of another shape in the scene.</summary>
    AnotherShapesColour,

    /// <summary>A colour question answered with a colour no shape of the scene has.</summary>
    ColourNotInScene,

    /// <summary>A shape question answered with a kind the scene holds at another position.</summary>
    ShapeElsewhere,

    /// <summary>A shape question answered with a kind the scene does not hold.</summary>
    ShapeNotInScene,

    /// <summary>A count one away from the answer.</summary>
    CountOffByOne,

    /// <summary>A count further away.</summary>
    CountOffByMore,

    /// <summary>"yes" for "no" or "no" for "yes".</summary>
    YesNoFlipped,

    /// <summary>A caption other than the scene's.</summary>
    WrongCaption,

    /// <summary>Not an answer of the question's kind (a colour for a count, a sentence for a yes/no question).</summary>
    OffTopic,
}

public static class AnswerMistakes
{
    public static AnswerMistake Classify(SceneExample example, string reply)
    {
        ArgumentNullException.ThrowIfNull(example);
        var question = example.Question;
        if (question.IsAnsweredBy(reply))
        {
            return AnswerMistake.None;
        }

        var said = SceneQuestion.Normalize(reply);
        var shapes = example.Scene.Shapes;
        return question.Kind switch
        {
            QuestionKind.Colour when ShapeColour.Palette.Any(c => c.Name == said) =>
                shapes.Any(s => s.Colour.Name == said) ? AnswerMistake.AnotherShapesColour : AnswerMistake.ColourNotInScene,
            QuestionKind.Shape when ShapeKinds.All.Any(k => k.Word() == said) =>
                shapes.Any(s => s.Kind.Word() == said) ? AnswerMistake.ShapeElsewhere : AnswerMistake.ShapeNotInScene,
            QuestionKind.Count when int.TryParse(said, NumberStyles.None, CultureInfo.InvariantCulture, out var count) =>
                Math.Abs(count - shapes.Count) == 1 ? AnswerMistake.CountOffByOne : AnswerMistake.CountOffByMore,
            QuestionKind.YesNo when said is "yes" or "no" => AnswerMistake.YesNoFlipped,
            QuestionKind.Caption when said.StartsWith("a ", StringComparison.Ordinal) || said.StartsWith("an ", StringComparison.Ordinal) => AnswerMistake.WrongCaption,
            _ => AnswerMistake.OffTopic,
        };
    }

    /// <summary>How reports name the mistake: "another shape's colour".</summary>
    public static string Describe(this AnswerMistake mistake) => mistake switch
    {
        AnswerMistake.None => "right",
        AnswerMistake.AnotherShapesColour => "another shape's colour",
        AnswerMistake.ColourNotInScene => "a colour not in the scene",
        AnswerMistake.ShapeElsewhere => "a shape at another position",
        AnswerMistake.ShapeNotInScene => "a shape not in the scene",
        AnswerMistake.CountOffByOne => "a count off by one",
        AnswerMistake.CountOffByMore => "a count off by more",
        AnswerMistake.YesNoFlipped => "yes for no or no for yes",
        AnswerMistake.WrongCaption => "another caption",
        AnswerMistake.OffTopic => "not an answer to the question",
        _ => throw new ArgumentOutOfRangeException(nameof(mistake), mistake, null),
    };
}
