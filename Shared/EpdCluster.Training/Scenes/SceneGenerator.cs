using EpdCluster.Engine.Imaging;

namespace EpdCluster.Training.Scenes;

/// <summary>
/// Draws random scenes: a background, 1–4 shapes of distinct kinds in the palette's colours, three sizes, at distinct
/// grid positions, on images whose size and aspect ratio make the served tiling cut them into one tile or into
/// 2–<c>maxTiles</c> tiles. The same seed always yields the same scene.
/// </summary>
public sealed class SceneGenerator(int maxTiles = ImagePreprocessOptions.DefaultMaxTiles, int tileSize = ImagePreprocessOptions.DefaultTileSize)
{
    public const int MaxShapes = 4;

    // Aspect ratios (width / height) of multi-tile images: wide, tall and large squares.
    private static readonly double[] MultiTileAspects = [2.0, 0.5, 1.5, 2.0 / 3, 3.0, 1.0 / 3, 1.0, 4.0 / 3, 0.75];

    public int MaxTiles { get; } = maxTiles >= 2 ? maxTiles : throw new ArgumentOutOfRangeException(nameof(maxTiles), "Multi-tile scenes need at least two tiles.");

    public int TileSize { get; } = tileSize;

    /// <param name="maxShapes">At most this many shapes (1–<see cref="MaxShapes"/>).</param>
    /// <param name="size">Every shape this size; null: each a random size.</param>
    public Scene Generate(int seed, SceneLayout layout, int maxShapes = MaxShapes, ShapeSize? size = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShapes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxShapes, MaxShapes);
        var random = new Random(seed);
        var (width, height) = PickSize(random, layout);
        var background = ShapeColour.Backgrounds[random.Next(ShapeColour.Backgrounds.Count)];
        var count = 1 + random.Next(maxShapes);
        var kinds = ShapeKinds.All.OrderBy(_ => random.Next()).Take(count).ToList();
        var positions = ScenePositions.All.OrderBy(_ => random.Next()).Take(count).ToList();
        var shapes = kinds.Select((kind, i) => new SceneShape(
                kind,
                ShapeColour.Palette[random.Next(ShapeColour.Palette.Count)],
                positions[i],
                size ?? ShapeSizes.All[random.Next(ShapeSizes.All.Count)],
                (random.NextDouble() * 2) - 1,
                (random.NextDouble() * 2) - 1))
            .OrderBy(s => s.Position)
            .ToList();
        return new Scene(width, height, background, shapes);
    }

    /// <summary>The grid tiles the served preprocessing cuts an image of this size into (thumbnail not counted).</summary>
    public int GridTiles(int width, int height) => TileGridSelector.Choose(width, height, MaxTiles, TileSize).TileCount;

    private (int Width, int Height) PickSize(Random random, SceneLayout layout)
    {
        for (var attempt = 0; ; attempt++)
        {
            int width, height;
            if (layout == SceneLayout.SingleTile)
            {
                var side = 160 + random.Next(141);
                var aspect = 0.8 + (random.NextDouble() * 0.45);
                width = (int)Math.Round(side * Math.Sqrt(aspect));
                height = (int)Math.Round(side / Math.Sqrt(aspect));
            }
            else
            {
                var aspect = MultiTileAspects[random.Next(MultiTileAspects.Length)] * (0.95 + (random.NextDouble() * 0.1));
                var longSide = 360 + random.Next(541);
                (width, height) = aspect >= 1
                    ? (longSide, (int)Math.Round(longSide / aspect))
                    : ((int)Math.Round(longSide * aspect), longSide);
            }

            var tiles = GridTiles(width, height);
            if ((layout == SceneLayout.SingleTile) == (tiles == 1))
            {
                return (width, height);
            }

            if (attempt > 1000)
            {
                throw new InvalidOperationException($"No {layout} image size found for max_tiles {MaxTiles} and tile size {TileSize}.");
            }
        }
    }
}
