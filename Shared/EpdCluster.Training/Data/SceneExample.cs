using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Text;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Data;

/// <summary>
/// One generated question about one generated image, prepared exactly as the server prepares a chat request: the
/// PNG bytes, the preprocessed tiles, the ChatML prompt with the image's placeholder tokens, and the answer's tokens
/// followed by the end-of-turn token (what the model is trained to produce).
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
    /// <summary>The user turn as served: the image and the question text, in the order the example chose.</summary>
    public IReadOnlyList<ChatMessage> Messages => [new ChatMessage(ChatRole.User, ImageFirst
        ? [ChatContentPart.FromImage(0), ChatContentPart.FromText(Question.Text)]
        : [ChatContentPart.FromText(Question.Text), ChatContentPart.FromImage(0)])];
}
