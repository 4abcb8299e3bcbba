using EpdCluster.Engine.Imaging;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Training;

/// <summary>
/// What each image token of a scene shows: for every token (grid tiles row-major, then the thumbnail; each tile's tokens
/// row-major), the shape covering the most of the token's region of the original image — its kind and colour as class
/// ids, 0 for "background" — which 3 × 3 cell of its tile the token lies in, and, in a tile that shows the whole image
/// (a single tile or the thumbnail), the named position in the image (<see cref="ScenePosition"/>) the token shows: the
/// position of the shape it shows, else the image's 3 × 3 cell it lies in. The trainer's region probe learns these,
/// which teaches the vision tower and projector to put each shape's kind and colour, and the token's place, into the
/// tokens the language model reads.
/// </summary>
public static class RegionLabels
{
    /// <summary>Least overlap, as a share of the smaller of the token region and the shape's box, for a token to show a shape.</summary>
    public const double MinimumOverlap = 0.2;

    /// <summary>Kind classes: background + one per shape kind.</summary>
    public static int KindClasses => ShapeKinds.All.Count + 1;

    /// <summary>Colour classes: background + one per palette colour.</summary>
    public static int ColourClasses => ShapeColour.Palette.Count + 1;

    /// <summary>Cell classes: the 3 × 3 grid cell of its tile a token's centre falls in (in a single tile or the thumbnail, of the image).</summary>
    public const int CellClasses = 9;

    /// <summary>
    /// The position label of a grid tile's tokens: a tile is encoded alone, so nothing in it says which part of the image
    /// it shows (only the thumbnail's and a single tile's tokens learn image positions).
    /// </summary>
    public const long Unplaced = -100;

    public static (long[] Kinds, long[] Colours, long[] Cells, long[] Positions) For(Scene scene, PreprocessedImage image, int tokensPerSide)
    {
        var tokens = image.TileCount * tokensPerSide * tokensPerSide;
        var kinds = new long[tokens];
        var colours = new long[tokens];
        var cells = new long[tokens];
        var positions = new long[tokens];
        var index = 0;
        var grid = image.Grid;

        // A grid tile covers 1/columns × 1/rows of the (stretched) image; the thumbnail covers all of it.
        for (var tile = 0; tile < image.TileCount; tile++)
        {
            var isThumbnail = tile >= grid.TileCount;
            var showsWholeImage = isThumbnail || image.TileCount == 1;
            var (left, top, width, height) = isThumbnail
                ? (0.0, 0.0, (double)scene.Width, (double)scene.Height)
                : ((tile % grid.Columns) * (double)scene.Width / grid.Columns, (tile / grid.Columns) * (double)scene.Height / grid.Rows, (double)scene.Width / grid.Columns, (double)scene.Height / grid.Rows);
            for (var row = 0; row < tokensPerSide; row++)
            {
                for (var column = 0; column < tokensPerSide; column++)
                {
                    var region = (X: left + (column * width / tokensPerSide), Y: top + (row * height / tokensPerSide), W: width / tokensPerSide, H: height / tokensPerSide);
                    var shape = Dominant(scene, region);
                    kinds[index] = shape is null ? 0 : (int)shape.Kind + 1;
                    colours[index] = shape is null ? 0 : IndexOf(shape.Colour) + 1;
                    cells[index] = (3 * ((2 * row) + 1) / (2 * tokensPerSide) * 3) + (3 * ((2 * column) + 1) / (2 * tokensPerSide));
                    positions[index] = !showsWholeImage ? Unplaced : shape is not null ? (int)shape.Position : cells[index];
                    index++;
                }
            }
        }

        return (kinds, colours, cells, positions);
    }

    private static SceneShape? Dominant(Scene scene, (double X, double Y, double W, double H) region)
    {
        SceneShape? best = null;
        var bestOverlap = 0.0;
        foreach (var shape in scene.Shapes)
        {
            var (cx, cy, extent) = shape.Placement(scene.Width, scene.Height);
            var overlapWidth = Math.Min(region.X + region.W, cx + (extent / 2)) - Math.Max(region.X, cx - (extent / 2));
            var overlapHeight = Math.Min(region.Y + region.H, cy + (extent / 2)) - Math.Max(region.Y, cy - (extent / 2));
            if (overlapWidth <= 0 || overlapHeight <= 0)
            {
                continue;
            }

            var overlap = overlapWidth * overlapHeight;
            if (overlap >= MinimumOverlap * Math.Min(region.W * region.H, extent * extent) && overlap > bestOverlap)
            {
                best = shape;
                bestOverlap = overlap;
            }
        }

        return best;
    }

    private static int IndexOf(ShapeColour colour)
    {
        for (var i = 0; i < ShapeColour.Palette.Count; i++)
        {
            if (ShapeColour.Palette[i] == colour)
            {
                return i;
            }
        }

        throw new ArgumentException($"{colour.Name} is not a palette colour.", nameof(colour));
    }
}
