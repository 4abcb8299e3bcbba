namespace EpdCluster.Training.Questions;

/// <summary>A question about a scene and its one correct answer.</summary>
public sealed record SceneQuestion(QuestionKind Kind, string Text, string Answer)
{
    /// <summary>
    /// Exact match after trimming, lower-casing and dropping one trailing full stop: "Yes." matches "yes", "red
    /// circle" does not match "red".
    /// </summary>
    public bool IsAnsweredBy(string reply) => Normalize(reply) == Normalize(Answer);

    private static string Normalize(string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        return trimmed.EndsWith('.') ? trimmed[..^1].TrimEnd() : trimmed;
    }
}
