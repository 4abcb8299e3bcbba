using EpdCluster.Engine.Imaging;
using SkiaSharp;

namespace EpdCluster.Engine.Tests.Imaging;

public sealed class ImagePreprocessorTests
{
    private const int T = 224;
    private const int Plane = T * T;
    private const int TileFloats = 3 * Plane;

    // OpenAI CLIP's normalization, written out here so the test does not read the code under test.
    private static readonly double[] Mean = [0.48145466, 0.4578275, 0.40821073];
    private static readonly double[] Std = [0.26862954, 0.26130258, 0.27577711];

    private static float Normalized(int channel, byte value) => (float)(((value / 255.0) - Mean[channel]) / Std[channel]);

    [Theory]
    [InlineData(224, 224, true, 1, 1, false)]   // 1×1: never a thumbnail
    [InlineData(448, 224, true, 2, 1, true)]
    [InlineData(448, 224, false, 2, 1, false)]
    [InlineData(672, 448, true, 3, 2, true)]
    [InlineData(5000, 100, true, 6, 1, true)]
    [InlineData(10, 10, true, 1, 1, false)]
    public void Tile_count_thumbnail_and_pixel_length_follow_the_grid(int width, int height, bool useThumbnail, int columns, int rows, bool thumbnail)
    {
        var preprocessor = new ImagePreprocessor(new ImagePreprocessOptions { UseThumbnail = useThumbnail });

        var image = preprocessor.Preprocess(TestImages.Solid(width, height, SKColors.Gray));

        var expectedTiles = (columns * rows) + (thumbnail ? 1 : 0);
        Assert.Equal(new TileGrid(columns, rows), image.Grid);
        Assert.Equal(thumbnail, image.HasThumbnail);
        Assert.Equal(expectedTiles, image.TileCount);
        Assert.Equal(expectedTiles * 3 * T * T, image.Pixels.Length);
        Assert.Equal(T, image.TileSize);
        Assert.Equal((width, height), (image.SourceWidth, image.SourceHeight));
    }

    [Fact]
    public void Solid_colour_is_normalized_exactly_at_every_position_of_every_tile()
    {
        // 300×200 gives a 3×2 grid plus a thumbnail: both an upscale and the thumbnail's downscale.
        var image = new ImagePreprocessor(new ImagePreprocessOptions()).Preprocess(TestImages.Solid(300, 200, new SKColor(255, 0, 128)));

        Assert.Equal(7, image.TileCount);
        float[] expected = [Normalized(0, 255), Normalized(1, 0), Normalized(2, 128)];
        Assert.Equal(1.93034, expected[0], 1e-4); // (1 − 0.48145466) / 0.26862954
        for (var i = 0; i < image.Pixels.Length; i++)
        {
            var channel = i % TileFloats / Plane;
            if (Math.Abs(image.Pixels[i] - expected[channel]) > 1e-5)
            {
                Assert.Fail($"pixel float {i} (channel {channel}) is {image.Pixels[i]}, expected {expected[channel]}");
            }
        }
    }

    [Fact]
    public void Left_red_right_blue_image_gives_a_red_tile_then_a_blue_tile_and_a_split_thumbnail()
    {
        var bytes = TestImages.Encode(448, 224, (x, _) => x < 224 ? SKColors.Red : SKColors.Blue, SKEncodedImageFormat.Png);

        var image = new ImagePreprocessor(new ImagePreprocessOptions()).Preprocess(bytes);

        Assert.Equal(new TileGrid(2, 1), image.Grid);
        Assert.Equal(3, image.TileCount);
        const int margin = 8; // cubic resampling only mixes colours within a few pixels of the edge
        AssertRegion(image, tile: 0, 0, T, SKColors.Red);
        AssertRegion(image, tile: 1, 0, T, SKColors.Blue);
        AssertRegion(image, tile: 2, 0, (T / 2) - margin, SKColors.Red);
        AssertRegion(image, tile: 2, (T / 2) + margin, T, SKColors.Blue);
    }

    [Fact]
    public void Tiles_are_cut_row_major_and_the_thumbnail_comes_last()
    {
        // 448×448 → 2×2 grid; quadrants top-left red, top-right lime, bottom-left blue, bottom-right white.
        var bytes = TestImages.Encode(448, 448, (x, y) => (x < 224, y < 224) switch
        {
            (true, true) => SKColors.Red,
            (false, true) => SKColors.Lime,
            (true, false) => SKColors.Blue,
            _ => SKColors.White,
        }, SKEncodedImageFormat.Png);

        var image = new ImagePreprocessor(new ImagePreprocessOptions()).Preprocess(bytes);

        Assert.Equal(new TileGrid(2, 2), image.Grid);
        Assert.Equal(5, image.TileCount);
        AssertRegion(image, tile: 0, 0, T, SKColors.Red);
        AssertRegion(image, tile: 1, 0, T, SKColors.Lime);
        AssertRegion(image, tile: 2, 0, T, SKColors.Blue);
        AssertRegion(image, tile: 3, 0, T, SKColors.White);
        Assert.Equal(Normalized(0, 255), Pixel(image, tile: 4, channel: 0, x: 10, y: 10), 1e-5);   // red corner
        Assert.Equal(Normalized(2, 255), Pixel(image, tile: 4, channel: 2, x: 10, y: 200), 1e-5);  // blue corner
        Assert.Equal(Normalized(1, 255), Pixel(image, tile: 4, channel: 1, x: 200, y: 10), 1e-5);  // lime corner
        Assert.Equal(Normalized(0, 0), Pixel(image, tile: 4, channel: 0, x: 200, y: 10), 1e-5);
    }

    [Fact]
    public void Shrinking_a_fine_checkerboard_averages_to_grey_instead_of_aliasing()
    {
        // 1-pixel black/white checkerboard, 3136×1568 → 2×1 grid of 448×224, a 7× shrink. Every output pixel
        // centre then lands exactly on a source pixel centre ((i + 0.5) × 7 − 0.5 = 7i + 3), where an
        // interpolating cubic without prefiltering returns that one pixel: pure black or white. A filter
        // that looks at every source pixel gives grey.
        var bytes = TestImages.Encode(3136, 1568, (x, y) => (x + y) % 2 == 0 ? SKColors.Black : SKColors.White, SKEncodedImageFormat.Png);

        var image = new ImagePreprocessor(new ImagePreprocessOptions()).Preprocess(bytes);

        Assert.Equal(new TileGrid(2, 1), image.Grid);
        for (var i = 0; i < image.Pixels.Length; i++)
        {
            var channel = i % TileFloats / Plane;
            var value = (image.Pixels[i] * Std[channel]) + Mean[channel]; // back to 0..1
            if (value is < 0.45 or > 0.55)
            {
                Assert.Fail($"float {i} maps to {value:0.000}, expected mid grey");
            }
        }
    }

    [Fact]
    public void Preprocess_id_names_the_output_shaping_settings_only()
    {
        Assert.Equal("tile224-max6-thumb1-clip", new ImagePreprocessor(new ImagePreprocessOptions()).PreprocessId);
        Assert.Equal("tile448-max12-thumb0-clip", new ImagePreprocessor(new ImagePreprocessOptions { TileSize = 448, MaxTiles = 12, UseThumbnail = false }).PreprocessId);
        Assert.Equal("tile224-max6-thumb1-clip", new ImagePreprocessor(new ImagePreprocessOptions { MaxImageBytes = 1000, MaxPixels = 10, MinSide = 2 }).PreprocessId);

        var image = new ImagePreprocessor(new ImagePreprocessOptions { MaxTiles = 2 }).Preprocess(TestImages.Solid(20, 20, SKColors.Gray));
        Assert.Equal("tile224-max2-thumb1-clip", image.PreprocessId);
    }

    [Fact]
    public void Options_changed_after_construction_do_not_affect_the_preprocessor()
    {
        var options = new ImagePreprocessOptions();
        var preprocessor = new ImagePreprocessor(options);
        options.TileSize = 32;
        options.MaxTiles = 1;
        options.UseThumbnail = false;

        var image = preprocessor.Preprocess(TestImages.Solid(448, 224, SKColors.Gray));

        Assert.Equal(T, image.TileSize);
        Assert.Equal(3, image.TileCount);
        Assert.Equal("tile224-max6-thumb1-clip", preprocessor.PreprocessId);
    }

    [Fact]
    public void Smaller_tile_size_gives_smaller_tiles()
    {
        var image = new ImagePreprocessor(new ImagePreprocessOptions { TileSize = 32, MaxTiles = 4 }).Preprocess(TestImages.Solid(64, 32, new SKColor(10, 20, 30)));

        Assert.Equal(new TileGrid(2, 1), image.Grid);
        Assert.Equal(3 * 3 * 32 * 32, image.Pixels.Length);
        Assert.Equal(Normalized(2, 30), image.Pixels[^1], 1e-5);
    }

    [Fact]
    public void Invalid_options_are_refused_at_construction()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ImagePreprocessor(new ImagePreprocessOptions { MaxTiles = 0 }));
        Assert.Contains("MaxTiles", error.Message);
    }

    [Fact]
    public async Task Concurrent_preprocessing_gives_the_same_results_as_sequential()
    {
        var preprocessor = new ImagePreprocessor(new ImagePreprocessOptions());
        var inputs = Enumerable.Range(0, 12)
            .Select(i => TestImages.Encode(200 + (37 * i), 150 + (23 * i), (x, y) => new SKColor((byte)(x * i), (byte)(y + i), (byte)(x ^ y)), SKEncodedImageFormat.Png))
            .ToArray();
        var sequential = inputs.Select(bytes => preprocessor.Preprocess(bytes).Pixels).ToArray();

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => inputs.Select((bytes, i) => Task.Run(() => (i, preprocessor.Preprocess(bytes).Pixels)))));

        Assert.Equal(48, concurrent.Length);
        foreach (var (index, pixels) in concurrent)
        {
            Assert.Equal(sequential[index], pixels);
        }
    }

    private static float Pixel(PreprocessedImage image, int tile, int channel, int x, int y) =>
        image.Pixels[(tile * TileFloats) + (channel * Plane) + (y * T) + x];

    /// <summary>Every pixel of <paramref name="tile"/> with fromX ≤ x &lt; toX has exactly <paramref name="color"/>.</summary>
    private static void AssertRegion(PreprocessedImage image, int tile, int fromX, int toX, SKColor color)
    {
        byte[] rgb = [color.Red, color.Green, color.Blue];
        for (var channel = 0; channel < 3; channel++)
        {
            var expected = Normalized(channel, rgb[channel]);
            for (var y = 0; y < T; y++)
            {
                for (var x = fromX; x < toX; x++)
                {
                    var actual = Pixel(image, tile, channel, x, y);
                    if (Math.Abs(actual - expected) > 1e-5)
                    {
                        Assert.Fail($"tile {tile} channel {channel} at ({x}, {y}) is {actual}, expected {expected} ({color})");
                    }
                }
            }
        }
    }
}
