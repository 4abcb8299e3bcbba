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
                    var present = scene.Shapes.Any(s => question.Text == $"Is there {(s.Colour.Name == "orange" ? "an" : "a")} {s.Colour.Name} {s.Kind.Word()}?");
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

        // With follow-ups: the same image and first question, then more answers in the chat.
        var chat = Factory.CreateSingleTile(3, questions: 4);
        Assert.Equal(Factory.CreateSingleTile(3).Png, chat.Png);
        Assert.Equal(Factory.CreateSingleTile(3).Question, chat.Question);
        Assert.Equal(4, chat.Conversation.Answers.Count);
    }

    [Fact]
    public void Follow_up_questions_continue_the_served_chat_and_each_answer_is_a_scored_span()
    {
        var single = Factory.Create(DataSplit.Train, 11);
        var chat = Factory.Create(DataSplit.Train, 11, questions: 4);

        // The first question is the served example, unchanged; three more follow about the same scene.
        Assert.Equal(single.Question, chat.Question);
        Assert.Equal(single.Png, chat.Png);
        Assert.Equal(3, chat.FollowUps.Count);
        Assert.Equal([.. single.Prompt.Ids, .. single.AnswerIds], chat.Conversation.Ids[..(single.Prompt.Ids.Length + single.AnswerIds.Length)]);

        // The sequence is exactly what the serving template renders for that chat, plus the last answer.
        var messages = chat.Messages.ToList();
        var questions = new[] { chat.Question }.Concat(chat.FollowUps).ToList();
        for (var i = 1; i < questions.Count; i++)
        {
            messages.Add(new ChatMessage(ChatRole.Assistant, questions[i - 1].Answer));
            messages.Add(new ChatMessage(ChatRole.User, questions[i].Text));
        }

        var rendered = new ChatTemplate(EpdTokenizer.Shared).Render(messages, 1, _ => chat.Image.TileCount * EpdModelConfig.Tiny.TokensPerTile);
        Assert.Equal(rendered.Ids, chat.Conversation.Ids[..rendered.Ids.Length]);
        Assert.Equal(rendered.ImageSpans, chat.Conversation.ImageSpans);

        // Each span holds its question's answer and the end of turn.
        Assert.Equal(4, chat.Conversation.Answers.Count);
        foreach (var (span, question) in chat.Conversation.Answers.Zip(questions))
        {
            var answer = chat.Conversation.Ids[span.Start..(span.Start + span.Length)];
            Assert.Equal(EpdTokenizer.ImEndId, answer[^1]);
            Assert.Equal(question.Answer, EpdTokenizer.Shared.Decode(answer[..^1]));
        }

        Assert.Equal(chat.Conversation.Ids.Length, chat.Conversation.Answers[^1].Start + chat.Conversation.Answers[^1].Length);
        Assert.Throws<ArgumentException>(() => Factory.Create(DataSplit.HeldOut, 0, questions: 2));
    }

    [Fact]
    public void A_question_mix_asks_each_kind_in_proportion_to_its_weight()
    {
        var mix = new QuestionMix(Colour: 6, Shape: 0, Count: 3, YesNo: 1, Caption: 0);
        var random = new Random(11);
        var drawn = Enumerable.Range(0, 10_000).Select(_ => mix.Draw(random)).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([QuestionKind.Colour, QuestionKind.Count, QuestionKind.YesNo], drawn.Keys.Order());
        Assert.InRange(drawn[QuestionKind.Colour], 5_850, 6_150); // 6 000 expected, ±3 standard deviations
        Assert.InRange(drawn[QuestionKind.Count], 2_860, 3_140);
        Assert.InRange(drawn[QuestionKind.YesNo], 910, 1_090);
    }

    [Fact]
    public void Training_chats_follow_the_factorys_question_mix()
    {
        var onlyCounts = new SceneExampleFactory(EpdModelConfig.Tiny, mix: new QuestionMix(0, 0, 1, 0, 0));
        for (var i = 0; i < 5; i++)
        {
            var chat = onlyCounts.Create(DataSplit.Train, i, questions: 3);
            Assert.Equal(QuestionKind.Count, chat.Question.Kind);
            Assert.All(chat.FollowUps, q => Assert.Equal(QuestionKind.Count, q.Kind));
        }
    }

    [Theory]
    [InlineData("6,6,3,3")]
    [InlineData("6,6,3,3,x")]
    [InlineData("6,-1,3,3,2")]
    [InlineData("0,0,0,0,0")]
    public void A_malformed_question_mix_is_refused(string text) => Assert.Throws<ArgumentException>(() => QuestionMix.Parse(text));

    [Fact]
    public void A_question_mix_parses_from_five_weights() =>
        Assert.Equal(new QuestionMix(6, 6, 3, 3, 2), QuestionMix.Parse("6, 6, 3, 3, 2"));
}
