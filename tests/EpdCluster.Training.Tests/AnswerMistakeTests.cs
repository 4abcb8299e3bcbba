using EpdCluster.Engine.Model;
using EpdCluster.Training.Data;
using EpdCluster.Training.Evaluation;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Tests;

public sealed class AnswerMistakeTests
{
    private static readonly SceneExampleFactory Factory = new(EpdModelConfig.Tiny);

    /// <summary>The first held-out example of the kind about a scene of at least two shapes.</summary>
    private static SceneExample First(QuestionKind kind) => Enumerable.Range(0, 200).Select(i => Factory.Create(DataSplit.HeldOut, i))
        .First(e => e.Question.Kind == kind && e.Scene.Shapes.Count >= 2);

    [Fact]
    public void A_colour_reply_is_another_shapes_or_one_the_scene_does_not_hold()
    {
        var example = First(QuestionKind.Colour);
        var other = example.Scene.Shapes.First(s => s.Colour.Name != example.Question.Answer).Colour.Name;
        var absent = ShapeColour.Palette.First(c => example.Scene.Shapes.All(s => s.Colour != c)).Name;

        Assert.Equal(AnswerMistake.None, AnswerMistakes.Classify(example, example.Question.Answer.ToUpperInvariant() + "."));
        Assert.Equal(AnswerMistake.AnotherShapesColour, AnswerMistakes.Classify(example, other));
        Assert.Equal(AnswerMistake.ColourNotInScene, AnswerMistakes.Classify(example, absent));
        Assert.Equal(AnswerMistake.OffTopic, AnswerMistakes.Classify(example, "3"));
    }

    [Fact]
    public void A_shape_reply_is_one_at_another_position_or_one_the_scene_does_not_hold()
    {
        var example = First(QuestionKind.Shape);
        var elsewhere = example.Scene.Shapes.First(s => s.Kind.Word() != example.Question.Answer).Kind.Word();
        var absent = ShapeKinds.All.First(k => example.Scene.Shapes.All(s => s.Kind != k)).Word();

        Assert.Equal(AnswerMistake.ShapeElsewhere, AnswerMistakes.Classify(example, elsewhere));
        Assert.Equal(AnswerMistake.ShapeNotInScene, AnswerMistakes.Classify(example, absent));
        Assert.Equal(AnswerMistake.OffTopic, AnswerMistakes.Classify(example, "red"));
    }

    [Fact]
    public void Counts_yes_no_and_captions_are_told_apart()
    {
        var count = First(QuestionKind.Count);
        var shapes = count.Scene.Shapes.Count;
        Assert.Equal(AnswerMistake.CountOffByOne, AnswerMistakes.Classify(count, (shapes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(AnswerMistake.CountOffByMore, AnswerMistakes.Classify(count, (shapes + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(AnswerMistake.OffTopic, AnswerMistakes.Classify(count, "yes"));

        var yesNo = First(QuestionKind.YesNo);
        Assert.Equal(AnswerMistake.YesNoFlipped, AnswerMistakes.Classify(yesNo, yesNo.Question.Answer == "yes" ? "No." : "yes"));
        Assert.Equal(AnswerMistake.OffTopic, AnswerMistakes.Classify(yesNo, "blue"));

        var caption = First(QuestionKind.Caption);
        Assert.Equal(AnswerMistake.WrongCaption, AnswerMistakes.Classify(caption, "A red circle in the centre."));
        Assert.Equal(AnswerMistake.WrongCaption, AnswerMistakes.Classify(caption, "An orange star on the left."));
        Assert.Equal(AnswerMistake.OffTopic, AnswerMistakes.Classify(caption, "square"));
    }
}
