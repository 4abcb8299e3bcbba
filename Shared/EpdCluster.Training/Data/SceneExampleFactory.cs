using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Text;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Data;

/// <summary>
/// Builds <see cref="SceneExample"/>s deterministically from (split, index): the same pair always yields the same
/// image, question and tokens. Training draws the layout at random and the question kind from a <see cref="QuestionMix"/>
/// (by default captions 15%, yes/no 25%, each other kind 20%); the held-out split cycles
/// through every (kind, layout) pair so any 10 consecutive examples cover each once. Thread-safe.
/// </summary>
public sealed class SceneExampleFactory
{
    /// <summary>Held-out seeds start here; training seeds stay below it.</summary>
    public const int HeldOutSeedBase = 1 << 30;

    /// <summary>Seeds of the vision warm-up's easy scenes (still training seeds, far above those of the main stream).</summary>
    public const int WarmupSeedBase = 1 << 29;

    private readonly ChatTemplate _template;
    private readonly EpdTokenizer _tokenizer;
    private readonly ImagePreprocessor _preprocessor;
    private readonly int _tokensPerTile;
    private readonly QuestionMix _mix;

    public SceneExampleFactory(EpdModelConfig model, ImagePreprocessOptions? imaging = null, EpdTokenizer? tokenizer = null, QuestionMix? mix = null)
    {
        _mix = mix ?? QuestionMix.Default;
        _mix.Validate();
        imaging ??= new ImagePreprocessOptions { TileSize = model.Vision.ImageSize };
        _tokenizer = tokenizer ?? EpdTokenizer.Shared;
        _template = new ChatTemplate(_tokenizer);
        _preprocessor = new ImagePreprocessor(imaging);
        _tokensPerTile = model.TokensPerTile;
        Scenes = new SceneGenerator(imaging.MaxTiles, imaging.TileSize);
    }

    public SceneGenerator Scenes { get; }

    public EpdTokenizer Tokenizer => _tokenizer;

    /// <param name="questions">
    /// Questions about the image (training only): the first as served, the others as follow-up turns of the same chat
    /// — several answers for one image's encoding.
    /// </param>
    public SceneExample Create(DataSplit split, long index, int questions = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(questions, 1);
        if (split != DataSplit.Train && questions != 1)
        {
            throw new ArgumentException("Held-out examples are single questions, exactly as served.", nameof(questions));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var seed = split == DataSplit.Train
            ? (int)(index % HeldOutSeedBase)
            : HeldOutSeedBase + (int)(index % HeldOutSeedBase);
        var random = new Random(seed);
        QuestionKind kind;
        SceneLayout layout;
        if (split == DataSplit.Train)
        {
            kind = DrawTrainingKind(random);
            layout = random.Next(2) == 0 ? SceneLayout.SingleTile : SceneLayout.MultiTile;
        }
        else
        {
            kind = QuestionKinds.All[(int)(index % QuestionKinds.All.Count)];
            layout = (index / QuestionKinds.All.Count) % 2 == 0 ? SceneLayout.SingleTile : SceneLayout.MultiTile;
        }

        return WithFollowUps(Create(seed, layout, kind, random), questions, random);
    }

    /// <summary>The example's chat with <paramref name="questions"/> − 1 follow-up questions drawn from the mix.</summary>
    private SceneExample WithFollowUps(SceneExample example, int questions, Random random) =>
        questions == 1 ? example : WithFollowUps(example, Enumerable.Range(1, questions - 1).Select(_ => QuestionGenerator.Ask(example.Scene, DrawTrainingKind(random), random)).ToList());

    private QuestionKind DrawTrainingKind(Random random) => _mix.Draw(random);

    /// <summary>
    /// An easy example for the vision warm-up: one large shape on a single tile, where a shape's kind is learnable long
    /// before it is in crowded, small or squashed views.
    /// </summary>
    public SceneExample CreateWarmup(long index)
    {
        var seed = WarmupSeedBase + (int)(index % WarmupSeedBase);
        var scene = Scenes.Generate(seed, SceneLayout.SingleTile, maxShapes: 1, size: ShapeSize.Large);
        return Create(scene, seed, SceneLayout.SingleTile, QuestionKind.Caption, new Random(seed));
    }

    /// <summary>
    /// A training example whose scene fits one tile (the vision warm-up's main diet): what the vision tower learns is
    /// per tile, and a single-tile scene costs one tile where a multi-tile one costs three to seven.
    /// </summary>
    /// <param name="questions">Questions about the image, as in <see cref="Create(DataSplit, long, int)"/>.</param>
    public SceneExample CreateSingleTile(long index, int questions = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(questions, 1);
        var seed = (int)(index % HeldOutSeedBase);
        var random = new Random(seed);
        var example = Create(seed, SceneLayout.SingleTile, DrawTrainingKind(random), random);
        return WithFollowUps(example, questions, random);
    }

    /// <summary>An example for an explicit scene seed, layout and question kind.</summary>
    public SceneExample Create(int seed, SceneLayout layout, QuestionKind kind) => Create(seed, layout, kind, new Random(seed ^ 0x5EED));

    private SceneExample Create(int seed, SceneLayout layout, QuestionKind kind, Random random) =>
        Create(Scenes.Generate(seed, layout), seed, layout, kind, random);

    private SceneExample Create(Scene scene, int seed, SceneLayout layout, QuestionKind kind, Random random)
    {
        var question = QuestionGenerator.Ask(scene, kind, random);
        var imageFirst = random.Next(2) == 0;
        var png = SceneRenderer.RenderPng(scene);
        var image = _preprocessor.Preprocess(png);
        var example = new SceneExample(seed, layout, scene, question, imageFirst, png, image, null!, null!);
        var prompt = _template.Render(example.Messages, imageCount: 1, _ => image.TileCount * _tokensPerTile);
        int[] answer = [.. _tokenizer.EncodeText(question.Answer), EpdTokenizer.ImEndId];
        return example with { Prompt = prompt, AnswerIds = answer, Conversation = new Conversation([.. prompt.Ids, .. answer], prompt.ImageSpans, [new AnswerSpan(prompt.Ids.Length, answer.Length)]) };
    }

    /// <summary>
    /// Continues the example's chat with <paramref name="followUps"/>: after each answer, a user turn with the next
    /// question and the assistant's answer, rendered by the serving template (each turn's tokens extend the previous
    /// ones exactly, which is checked).
    /// </summary>
    private SceneExample WithFollowUps(SceneExample example, IReadOnlyList<SceneQuestion> followUps)
    {
        var messages = example.Messages.ToList();
        var ids = example.Conversation.Ids;
        var answers = example.Conversation.Answers.ToList();
        var previous = example.Question;
        foreach (var question in followUps)
        {
            messages.Add(new ChatMessage(ChatRole.Assistant, previous.Answer));
            messages.Add(new ChatMessage(ChatRole.User, question.Text));
            var prompt = _template.Render(messages, imageCount: 1, _ => example.Image.TileCount * _tokensPerTile);
            if (!prompt.Ids.AsSpan(0, ids.Length).SequenceEqual(ids))
            {
                throw new InvalidOperationException("The chat template rendered an earlier turn differently in a longer chat.");
            }

            int[] answer = [.. _tokenizer.EncodeText(question.Answer), EpdTokenizer.ImEndId];
            answers.Add(new AnswerSpan(prompt.Ids.Length, answer.Length));
            ids = [.. prompt.Ids, .. answer];
            previous = question;
        }

        return example with { FollowUps = followUps, Conversation = new Conversation(ids, example.Conversation.ImageSpans, answers) };
    }
}
