using EpdCluster.Engine.Imaging;
using EpdCluster.Training.Scenes;
using EpdCluster.Training.Training;

namespace EpdCluster.Training.Tests;

public sealed class RegionLabelTests
{
    private static readonly ImagePreprocessor Preprocessor = new(new ImagePreprocessOptions());

    [Fact]
    public void A_large_centred_shape_labels_the_middle_tokens_and_leaves_the_corners_background()
    {
        var blue = ShapeColour.Palette.Single(c => c.Name == "blue");
        var scene = new Scene(224, 224, ShapeColour.Backgrounds[0], [new SceneShape(ShapeKind.Star, blue, ScenePosition.Centre, ShapeSize.Large, 0, 0)]);
        var image = Preprocessor.Preprocess(SceneRenderer.RenderPng(scene));
        var (kinds, colours, _, _) = RegionLabels.For(scene, image, tokensPerSide: 4);

        Assert.Equal(16, kinds.Length);
        foreach (var token in new[] { 5, 6, 9, 10 }) // the 2 × 2 middle of the 4 × 4 token grid
        {
            Assert.Equal((int)ShapeKind.Star + 1, kinds[token]);
            Assert.Equal(ShapeColour.Palette.ToList().IndexOf(blue) + 1, colours[token]);
        }

        foreach (var token in new[] { 0, 3, 12, 15 })
        {
            Assert.Equal(0, kinds[token]);
            Assert.Equal(0, colours[token]);
        }
    }

    [Fact]
    public void Cells_name_the_three_by_three_part_of_the_tile_each_token_lies_in()
    {
        var scene = new Scene(448, 224, ShapeColour.Backgrounds[0], [new SceneShape(ShapeKind.Cross, ShapeColour.Palette[1], ScenePosition.Top, ShapeSize.Small, 0, 0)]);
        var image = Preprocessor.Preprocess(SceneRenderer.RenderPng(scene));
        var (_, _, cells, _) = RegionLabels.For(scene, image, tokensPerSide: 4);

        // Token columns 0, 1, 2, 3 of a 4 × 4 tile have centres at 1/8, 3/8, 5/8, 7/8: cells 0, 1, 1, 2 (rows alike).
        long[] perTile = [0, 1, 1, 2, 3, 4, 4, 5, 3, 4, 4, 5, 6, 7, 7, 8];
        Assert.Equal(perTile.Concat(perTile).Concat(perTile), cells);
    }

    [Fact]
    public void Grid_tiles_and_the_thumbnail_each_label_the_part_of_the_image_they_show()
    {
        // 448 × 224: a 2 × 1 grid plus the thumbnail. A circle at the right lies in the second tile only.
        var red = ShapeColour.Palette[0];
        var scene = new Scene(448, 224, ShapeColour.Backgrounds[1], [new SceneShape(ShapeKind.Circle, red, ScenePosition.Right, ShapeSize.Large, 0, 0)]);
        var image = Preprocessor.Preprocess(SceneRenderer.RenderPng(scene));
        Assert.Equal(3, image.TileCount);
        var (kinds, _, _, _) = RegionLabels.For(scene, image, tokensPerSide: 4);

        var perTile = Enumerable.Range(0, 3).Select(t => kinds.Skip(t * 16).Take(16).Count(k => k == (int)ShapeKind.Circle + 1)).ToList();
        Assert.Equal(0, perTile[0]);
        Assert.True(perTile[1] > 0, "the right tile shows the circle");
        Assert.True(perTile[2] > 0, "the thumbnail shows the circle");

        // In the thumbnail the circle is in the right-hand column of tokens.
        var thumbnail = kinds.Skip(32).Take(16).ToArray();
        Assert.All(Enumerable.Range(0, 16).Where(i => thumbnail[i] != 0), i => Assert.True(i % 4 >= 2, $"thumbnail token {i} is not on the right"));
    }

    [Fact]
    public void Positions_name_where_in_the_image_a_token_is_and_leave_grid_tiles_unplaced()
    {
        // A single tile shows the whole image. A large star at the top left, jittered right and down, reaches into the
        // tokens of the neighbouring cells; every token that shows it is labelled with the star's position all the same.
        var single = new Scene(224, 224, ShapeColour.Backgrounds[0], [new SceneShape(ShapeKind.Star, ShapeColour.Palette[2], ScenePosition.TopLeft, ShapeSize.Large, 1, 1)]);
        var (kinds, _, cells, positions) = RegionLabels.For(single, Preprocessor.Preprocess(SceneRenderer.RenderPng(single)), tokensPerSide: 4);
        var star = Enumerable.Range(0, 16).Where(t => kinds[t] != 0).ToList();
        Assert.NotEmpty(star);
        Assert.All(star, t => Assert.Equal((long)ScenePosition.TopLeft, positions[t]));
        Assert.Contains(star, t => cells[t] != (long)ScenePosition.TopLeft);

        // Tokens showing no shape are named by the cell of the image they lie in.
        Assert.Equal((long)ScenePosition.TopRight, positions[3]);
        Assert.Equal((long)ScenePosition.Right, positions[7]);
        Assert.Equal((long)ScenePosition.BottomLeft, positions[12]);
        Assert.Equal((long)ScenePosition.BottomRight, positions[15]);

        // 448 × 224: a 2 × 1 grid plus the thumbnail. The grid tiles' tokens are unplaced, the thumbnail's placed.
        var wide = new Scene(448, 224, ShapeColour.Backgrounds[0], [new SceneShape(ShapeKind.Circle, ShapeColour.Palette[0], ScenePosition.BottomLeft, ShapeSize.Medium, 0, 0)]);
        var image = Preprocessor.Preprocess(SceneRenderer.RenderPng(wide));
        Assert.Equal(3, image.TileCount);
        var (wideKinds, _, _, widePositions) = RegionLabels.For(wide, image, tokensPerSide: 4);
        Assert.All(widePositions.Take(32), p => Assert.Equal(RegionLabels.Unplaced, p));
        Assert.True(wideKinds[44] != 0, "the thumbnail's bottom-left token shows the circle");
        Assert.Equal((long)ScenePosition.BottomLeft, widePositions[44]);
        Assert.Equal((long)ScenePosition.TopRight, widePositions[35]);
    }
}
