namespace EpdCluster.Training.Scenes;

/// <summary>How much of its grid cell a shape fills.</summary>
public enum ShapeSize
{
    Small,
    Medium,
    Large,
}

public static class ShapeSizes
{
    public static IReadOnlyList<ShapeSize> All { get; } = Enum.GetValues<ShapeSize>();

    /// <summary>The shape's extent as a share of the shorter side of its cell.</summary>
    public static double CellFraction(this ShapeSize size) => size switch
    {
        ShapeSize.Small => 0.45,
        ShapeSize.Medium => 0.65,
        ShapeSize.Large => 0.85,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, null),
    };
}
