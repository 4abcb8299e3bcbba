namespace EpdCluster.Training.Scenes;

/// <summary>The shapes a generated scene may contain; a scene holds each kind at most once.</summary>
public enum ShapeKind
{
    Circle,
    Square,
    Triangle,
    Star,
    Cross,
}

public static class ShapeKinds
{
    public static IReadOnlyList<ShapeKind> All { get; } = Enum.GetValues<ShapeKind>();

    /// <summary>The word used in questions and answers ("circle").</summary>
    public static string Word(this ShapeKind kind) => kind switch
    {
        ShapeKind.Circle => "circle",
        ShapeKind.Square => "square",
        ShapeKind.Triangle => "triangle",
        ShapeKind.Star => "star",
        ShapeKind.Cross => "cross",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
