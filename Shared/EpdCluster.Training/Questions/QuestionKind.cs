namespace EpdCluster.Training.Questions;

/// <summary>The kinds of question asked about a scene; accuracy is reported per kind.</summary>
public enum QuestionKind
{
    /// <summary>"What colour is the triangle?" → "red".</summary>
    Colour,

    /// <summary>"Which shape is on the right?" → "star".</summary>
    Shape,

    /// <summary>"How many shapes are there?" → "3".</summary>
    Count,

    /// <summary>"Is there a blue square?" → "yes" / "no".</summary>
    YesNo,

    /// <summary>"Describe the image." → the scene's caption.</summary>
    Caption,
}

public static class QuestionKinds
{
    public static IReadOnlyList<QuestionKind> All { get; } = Enum.GetValues<QuestionKind>();
}
