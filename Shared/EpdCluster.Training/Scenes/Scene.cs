namespace EpdCluster.Training.Scenes;

/// <summary>One shape of a scene: what, which colour, where, how big, and its offset inside the cell (each −1..1).</summary>
public sealed record SceneShape(ShapeKind Kind, ShapeColour Colour, ScenePosition Position, ShapeSize Size, double JitterX, double JitterY)
{
    /// <summary>
    /// Where the shape is drawn in a <paramref name="width"/> × <paramref name="height"/> image: its centre and the side of
    /// its square bounding box. The jitter moves it by up to a quarter of the room its cell leaves, so it never sits on a
    /// cell border.
    /// </summary>
    public (double CentreX, double CentreY, double Extent) Placement(int width, int height)
    {
        var cellWidth = width / 3.0;
        var cellHeight = height / 3.0;
        var extent = Math.Min(cellWidth, cellHeight) * Size.CellFraction();
        var x = (cellWidth * (Position.Column() + 0.5)) + (JitterX * ((cellWidth - extent) / 4));
        var y = (cellHeight * (Position.Row() + 0.5)) + (JitterY * ((cellHeight - extent) / 4));
        return (x, y, extent);
    }
}

/// <summary>
/// A generated picture: its pixel size, background and 1–4 shapes of distinct kinds at distinct positions, listed
/// in reading order (top row first, left to right), which is also the order captions name them in.
/// </summary>
public sealed record Scene(int Width, int Height, ShapeColour Background, IReadOnlyList<SceneShape> Shapes)
{
    /// <summary>"A red circle at the top left and a blue square in the centre."</summary>
    public string Caption()
    {
        var phrases = Shapes.Select(s => $"{s.Colour.WithArticle()} {s.Kind.Word()} {s.Position.Phrase()}").ToList();
        var joined = phrases.Count == 1
            ? phrases[0]
            : string.Join(", ", phrases.Take(phrases.Count - 1)) + " and " + phrases[^1];
        return char.ToUpperInvariant(joined[0]) + joined[1..] + ".";
    }
}
