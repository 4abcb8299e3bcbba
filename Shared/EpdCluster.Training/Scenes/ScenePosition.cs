namespace EpdCluster.Training.Scenes;

/// <summary>One of the nine cells of a 3 × 3 grid over the image, named as people name them.</summary>
public enum ScenePosition
{
    TopLeft,
    Top,
    TopRight,
    Left,
    Centre,
    Right,
    BottomLeft,
    Bottom,
    BottomRight,
}

public static class ScenePositions
{
    public static IReadOnlyList<ScenePosition> All { get; } = Enum.GetValues<ScenePosition>();

    /// <summary>Column 0–2, left to right.</summary>
    public static int Column(this ScenePosition position) => (int)position % 3;

    /// <summary>Row 0–2, top to bottom.</summary>
    public static int Row(this ScenePosition position) => (int)position / 3;

    /// <summary>The words that name the position: "top left", "right", "centre".</summary>
    public static string Name(this ScenePosition position) => position switch
    {
        ScenePosition.TopLeft => "top left",
        ScenePosition.Top => "top",
        ScenePosition.TopRight => "top right",
        ScenePosition.Left => "left",
        ScenePosition.Centre => "centre",
        ScenePosition.Right => "right",
        ScenePosition.BottomLeft => "bottom left",
        ScenePosition.Bottom => "bottom",
        ScenePosition.BottomRight => "bottom right",
        _ => throw new ArgumentOutOfRangeException(nameof(position), position, null),
    };

    /// <summary>The position with its preposition: "at the top left", "on the right", "in the centre".</summary>
    public static string Phrase(this ScenePosition position) => position switch
    {
        ScenePosition.Left or ScenePosition.Right => $"on the {position.Name()}",
        ScenePosition.Centre => "in the centre",
        _ => $"at the {position.Name()}",
    };
}
