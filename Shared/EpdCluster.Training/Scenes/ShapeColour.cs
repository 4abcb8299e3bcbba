namespace EpdCluster.Training.Scenes;

/// <summary>A named colour of the scene palette, as 8-bit sRGB.</summary>
public sealed record ShapeColour(string Name, byte Red, byte Green, byte Blue)
{
    /// <summary>The eight colours shapes are drawn in; all far from each other and from every background.</summary>
    public static IReadOnlyList<ShapeColour> Palette { get; } =
    [
        new("red", 220, 30, 30),
        new("orange", 250, 140, 0),
        new("yellow", 245, 225, 20),
        new("green", 30, 160, 50),
        new("blue", 30, 70, 225),
        new("purple", 140, 40, 180),
        new("black", 15, 15, 15),
        new("white", 250, 250, 250),
    ];

    /// <summary>Mid-tone backgrounds every shape colour stands out from.</summary>
    public static IReadOnlyList<ShapeColour> Backgrounds { get; } =
    [
        new("grey", 128, 128, 128),
        new("slate", 110, 130, 150),
        new("sand", 175, 160, 120),
        new("sage", 120, 145, 115),
    ];

    /// <summary>The colour's name after its indefinite article: "a red", "an orange".</summary>
    public string WithArticle() => ("aeiou".Contains(Name[0], StringComparison.Ordinal) ? "an " : "a ") + Name;

    public override string ToString() => Name;
}
