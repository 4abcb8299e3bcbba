using System.Globalization;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Text;
using EpdCluster.Training.Data;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Tests;

public sealed class QuestionTests
{
    private static readonly SceneExampleFactory Factory = new(EpdModelConfig.Tiny);

    [Fact]
    public void Answers_follow_from_the_scene()
    {
        var generator = new SceneGenerator();
        var kinds = new Dictionary<QuestionKind, int>();
        var yesNo = new Dictionary<string, int>();
        for (var seed = 0; seed < 300; seed++)
        {
            var scene = generator.Generate(seed, SceneLayout.SingleTile);
            var kind = QuestionKinds.All[seed % QuestionKinds.All.Count];
            var question = QuestionGenerator.Ask(scene, kind, new Random(seed));
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            switch (kind)
            {
                case QuestionKind.Colour:
                    var named = scene.Shapes.Single(s => question.Text.Contains($" {s.Kind.Word()}?", StringComparison.Ordinal));
                    Assert.Equal(named.Colour.Name, question.Answer);
                    break;
                case QuestionKind.Shape:
                    var at = scene.Shapes.Single(s => question.Text.EndsWith($"{s.Position.Phrase()}?", StringComparison.Ordinal));
                    Assert.Equal(at.Kind.Word(), question.Answer);
                    break;
                case QuestionKind.Count:
                    Assert.Equal(scene.Shapes.Count.ToString(CultureInfo.InvariantCulture), question.Answer);
                    break;
                case QuestionKind.YesNo:
                    var present = scene.Shapes.Any(s => question.Text == $"Is there a {s.Colour.Name} {s.Kind.Word()}?");
                    Assert.Equal(present ? "yes" : "no", question.Answer);
                    yesNo[question.Answer] = yesNo.GetValueOrDefault(question.Answer) + 1;
                    break;
                case QuestionKind.Caption:
                    Assert.Equal(scene.Caption(), question.Answer);
                    break;
            }
        }

        Assert.Equal(QuestionKinds.All.Count, kinds.Count);
        Assert.InRange(yesNo["yes"], 20, 40); // about half of 60
    }

    [Theory]
    [InlineData("red", "red", true)]
    [InlineData(" Red. ", "red", true)]
    [InlineData("red circle", "red", false)]
    [InlineData("3", "3", true)]
    [InlineData("4", "3", false)]
    [InlineData("A red circle at the top.", "a red circle at the top", true)]
    [InlineData("", "no", false)]
    public void Exact_match_ignores_case_spaces_and_one_trailing_full_stop(string reply, string answer, bool expected) =>
        Assert.Equal(expected, new SceneQuestion(QuestionKind.Colour, "q", answer).IsAnsweredBy(reply));

    [Fact]
    public void Examples_are_prompts_as_served_with_the_answer_and_end_of_turn_as_targets()
    {
        var example = Factory.Create(DataSplit.HeldOut, 7);
        var template = new ChatTemplate(EpdTokenizer.Shared);
        var served = template.Render(example.Messages, 1, _ => example.Image.TileCount * EpdModelConfig.Tiny.TokensPerTile);
        Assert.Equal(served.Ids, example.Prompt.Ids);
        var span = Assert.Single(example.Prompt.ImageSpans);
        Assert.Equal(example.Image.TileCount * EpdModelConfig.Tiny.TokensPerTile, span.TokenCount);
        Assert.Equal(EpdTokenizer.ImEndId, example.AnswerIds[^1]);
        Assert.Equal(example.Question.Answer, EpdTokenizer.Shared.Decode(example.AnswerIds[..^1]));
        Assert.Equal(example.Png, SceneRenderer.RenderPng(example.Scene));
    }

    [Fact]
    public void Held_out_examples_cycle_every_kind_and_layout_and_never_share_a_seed_with_training()
    {
        var heldOut = Enumerable.Range(0, 10).Select(i => Factory.Create(DataSplit.HeldOut, i)).ToList();
        Assert.Equal(10, heldOut.Select(e => (e.Question.Kind, e.Layout)).Distinct().Count());
        Assert.All(heldOut, e => Assert.True(e.Seed >= SceneExampleFactory.HeldOutSeedBase));
        Assert.All(Enumerable.Range(0, 20), i => Assert.True(Factory.Create(DataSplit.Train, i).Seed < SceneExampleFactory.HeldOutSeedBase));
        Assert.Equal(Factory.Create(DataSplit.Train, 5).Png, Factory.Create(DataSplit.Train, 5).Png);
    }

    [Fact]
    public void Vision_warm_up_examples_are_training_scenes_that_fit_one_tile()
    {
        var examples = Enumerable.Range(0, 12).Select(i => Factory.CreateSingleTile(i)).ToList();

        Assert.All(examples, e =>
        {
            Assert.Equal(SceneLayout.SingleTile, e.Layout);
            Assert.Equal(1, e.Image.TileCount);
            Assert.True(e.Seed < SceneExampleFactory.HeldOutSeedBase);
        });
        Assert.True(examples.Select(e => e.Scene.Shapes.Count).Distinct().Count() > 1, "every warm-up scene has the same number of shapes");
        Assert.True(examples.Select(e => e.Question.Kind).Distinct().Count() > 1, "every warm-up question is of one kind");
        Assert.Equal(Factory.CreateSingleTile(3).Png, Factory.CreateSingleTile(3).Png);
    }
}
