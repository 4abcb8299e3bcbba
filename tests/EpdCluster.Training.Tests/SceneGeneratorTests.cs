using EpdCluster.Engine.Imaging;
using EpdCluster.Training.Scenes;
using SkiaSharp;

namespace EpdCluster.Training.Tests;

public sealed class SceneGeneratorTests
{
    private readonly SceneGenerator _generator = new();

    [Fact]
    public void The_same_seed_gives_the_same_scene_and_the_same_png()
    {
        var a = _generator.Generate(42, SceneLayout.MultiTile);
        var b = _generator.Generate(42, SceneLayout.MultiTile);
        Assert.Equal(a.Caption(), b.Caption());
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        Assert.Equal(SceneRenderer.RenderPng(a), SceneRenderer.RenderPng(b));
        Assert.NotEqual(a.Caption() + a.Width, _generator.Generate(43, SceneLayout.MultiTile).Caption() + _generator.Generate(43, SceneLayout.MultiTile).Width);
    }

    [Fact]
    public void The_png_decodes_to_exactly_the_drawn_pixels()
    {
        foreach (var layout in new[] { SceneLayout.SingleTile, SceneLayout.MultiTile })
        {
            var scene = _generator.Generate(17, layout);
            using var drawn = SceneRenderer.Render(scene);
            using var decoded = SKBitmap.Decode(SceneRenderer.RenderPng(scene)).Copy(drawn.ColorType);
            Assert.Equal((drawn.Width, drawn.Height), (decoded.Width, decoded.Height));
            Assert.True(drawn.GetPixelSpan().SequenceEqual(decoded.GetPixelSpan()), $"{layout}: the PNG's pixels differ from the drawn ones");
        }
    }

    [Theory]
    [InlineData(SceneLayout.SingleTile)]
    [InlineData(SceneLayout.MultiTile)]
    public void Layouts_get_the_tiling_they_name_from_the_served_preprocessing(SceneLayout layout)
    {
        var preprocessor = new ImagePreprocessor(new ImagePreprocessOptions());
        var tileCounts = new HashSet<int>();
        for (var seed = 0; seed < 60; seed++)
        {
            var image = preprocessor.Preprocess(SceneRenderer.RenderPng(_generator.Generate(seed, layout)));
            if (layout == SceneLayout.SingleTile)
            {
                Assert.Equal(1, image.TileCount);
            }
            else
            {
                Assert.InRange(image.Grid.TileCount, 2, ImagePreprocessOptions.DefaultMaxTiles);
                Assert.True(image.HasThumbnail);
            }

            tileCounts.Add(image.Grid.TileCount);
        }

        if (layout == SceneLayout.MultiTile)
        {
            Assert.True(tileCounts.Count >= 3, $"multi-tile scenes should vary their grids, saw {string.Join(", ", tileCounts)}");
        }
    }

    [Fact]
    public void Scenes_hold_one_to_four_shapes_of_distinct_kinds_at_distinct_positions_in_reading_order()
    {
        var counts = new HashSet<int>();
        for (var seed = 0; seed < 200; seed++)
        {
            var scene = _generator.Generate(seed, seed % 2 == 0 ? SceneLayout.SingleTile : SceneLayout.MultiTile);
            counts.Add(scene.Shapes.Count);
            Assert.InRange(scene.Shapes.Count, 1, SceneGenerator.MaxShapes);
            Assert.Equal(scene.Shapes.Count, scene.Shapes.Select(s => s.Kind).Distinct().Count());
            Assert.Equal(scene.Shapes.Count, scene.Shapes.Select(s => s.Position).Distinct().Count());
            Assert.Equal(scene.Shapes.OrderBy(s => (int)s.Position).Select(s => s.Position), scene.Shapes.Select(s => s.Position));
        }

        Assert.Equal([1, 2, 3, 4], counts.Order());
    }

    [Fact]
    public void Each_shape_is_drawn_in_its_colour_at_the_centre_of_its_cell_on_the_background()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var scene = _generator.Generate(seed, seed % 2 == 0 ? SceneLayout.SingleTile : SceneLayout.MultiTile);
            using var bitmap = SKBitmap.Decode(SceneRenderer.RenderPng(scene));
            Assert.Equal((scene.Width, scene.Height), (bitmap.Width, bitmap.Height));
            AssertColour(scene.Background, bitmap.GetPixel(0, 0));
            foreach (var shape in scene.Shapes)
            {
                var (x, y, extent) = shape.Placement(scene.Width, scene.Height);
                AssertColour(shape.Colour, bitmap.GetPixel((int)x, (int)y));

                // The whole shape stays inside its cell.
                var cellWidth = scene.Width / 3.0;
                var cellHeight = scene.Height / 3.0;
                Assert.InRange(x - (extent / 2), cellWidth * shape.Position.Column(), cellWidth * (shape.Position.Column() + 1));
                Assert.InRange(x + (extent / 2), cellWidth * shape.Position.Column(), cellWidth * (shape.Position.Column() + 1));
                Assert.InRange(y - (extent / 2), cellHeight * shape.Position.Row(), cellHeight * (shape.Position.Row() + 1));
                Assert.InRange(y + (extent / 2), cellHeight * shape.Position.Row(), cellHeight * (shape.Position.Row() + 1));
            }
        }
    }

    [Fact]
    public void Captions_name_every_shape_with_its_colour_and_position()
    {
        var scene = new Scene(300, 300, ShapeColour.Backgrounds[0],
        [
            new SceneShape(ShapeKind.Circle, ShapeColour.Palette[0], ScenePosition.TopLeft, ShapeSize.Small, 0, 0),
            new SceneShape(ShapeKind.Square, ShapeColour.Palette[4], ScenePosition.Centre, ShapeSize.Large, 0, 0),
            new SceneShape(ShapeKind.Star, ShapeColour.Palette[6], ScenePosition.Right, ShapeSize.Medium, 0, 0),
        ]);
        Assert.Equal("A red circle at the top left, a blue square in the centre and a black star on the right.", scene.Caption());
        Assert.Equal("A red circle at the top left.", scene with { Shapes = [scene.Shapes[0]] } is var one ? one.Caption() : "");

        // "an" before a vowel, first or later in the list.
        var orange = new SceneShape(ShapeKind.Cross, ShapeColour.Palette[1], ScenePosition.Bottom, ShapeSize.Small, 0, 0);
        Assert.Equal("An orange cross at the bottom.", (scene with { Shapes = [orange] }).Caption());
        Assert.Equal("A red circle at the top left and an orange cross at the bottom.", (scene with { Shapes = [scene.Shapes[0], orange] }).Caption());
    }

    private static void AssertColour(ShapeColour expected, SKColor actual) =>
        Assert.True(
            Math.Abs(expected.Red - actual.Red) <= 2 && Math.Abs(expected.Green - actual.Green) <= 2 && Math.Abs(expected.Blue - actual.Blue) <= 2,
            $"expected {expected.Name} ({expected.Red}, {expected.Green}, {expected.Blue}), found ({actual.Red}, {actual.Green}, {actual.Blue})");
}
