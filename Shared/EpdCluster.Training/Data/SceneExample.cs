using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Text;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Data;

/// <summary>
/// One generated question about one generated image, prepared exactly as the server prepares a chat request: the
/// PNG bytes, the preprocessed tiles, the ChatML prompt with the image's placeholder tokens, and the answer's tokens
/// followed by the end-of-turn token (what the model is trained to produce); in training, optionally follow-up
/// questions about the same image in later turns.
/// </summary>
public sealed record SceneExample(
    int Seed,
    SceneLayout Layout,
    Scene Scene,
    SceneQuestion Question,
    bool ImageFirst,
    byte[] Png,
    PreprocessedImage Image,
    PromptTokens Prompt,
    int[] AnswerIds)
{
    /// <summary>
    /// Further questions about the same image, asked after <see cref="Question"/>'s answer in the same chat (training
    /// only; none for held-out examples, which are exactly what is served).
    /// </summary>
    public IReadOnlyList<SceneQuestion> FollowUps { get; init; } = [];

    /// <summary>Every question of the chat in order: <see cref="Question"/>, then the follow-ups (one per scored answer).</summary>
    public IReadOnlyList<SceneQuestion> Questions => [Question, .. FollowUps];

    /// <summary>The scored sequence: <see cref="Prompt"/> and <see cref="AnswerIds"/>, then each follow-up turn and its answer.</summary>
    public Conversation Conversation { get; init; } = null!;

    /// <summary>The user turn as served: the image and the question text, in the order the example chose.</summary>
    public IReadOnlyList<ChatMessage> Messages => [new ChatMessage(ChatRole.User, ImageFirst
        ? [ChatContentPart.FromImage(0), ChatContentPart.FromText(Question.Text)]
        : [ChatContentPart.FromText(Question.Text), ChatContentPart.FromImage(0)])];
}
