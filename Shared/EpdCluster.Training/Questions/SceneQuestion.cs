using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Questions;

/// <summary>A question about a scene and its one correct answer.</summary>
/// <param name="Subject">
/// The shape of the scene the answer depends on — the one whose colour is asked, the one at the asked position, the
/// one a yes/no question names (when the scene holds that kind) — or null (counts, captions, absent kinds).
/// </param>
public sealed record SceneQuestion(QuestionKind Kind, string Text, string Answer, ShapeKind? Subject = null)
{
    /// <summary>
    /// Exact match after trimming, lower-casing and dropping one trailing full stop: "Yes." matches "yes", "red
    /// circle" does not match "red".
    /// </summary>
    public bool IsAnsweredBy(string reply) => Normalize(reply) == Normalize(Answer);

    /// <summary>The form replies are compared in: trimmed, lower case, without one trailing full stop.</summary>
    public static string Normalize(string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        return trimmed.EndsWith('.') ? trimmed[..^1].TrimEnd() : trimmed;
    }
}
