using System.Text;
using EpdCluster.Engine.Imaging;
using SkiaSharp;

namespace EpdCluster.Engine.Tests.Imaging;

public sealed class ImageDecoderTests
{
    private static readonly ImagePreprocessOptions Defaults = new();

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, 0)]
    [InlineData(SKEncodedImageFormat.Webp, 0)]
    [InlineData(SKEncodedImageFormat.Jpeg, 6)] // lossy: a few levels away from the source
    public void Decodes_images_encoded_by_SkiaSharp(SKEncodedImageFormat format, int tolerance)
    {
        // 32×16, left half (255, 0, 128), right half (0, 200, 40).
        var bytes = TestImages.Encode(32, 16, (x, _) => x < 16 ? new SKColor(255, 0, 128) : new SKColor(0, 200, 40), format);

        using var image = Decode(bytes);

        Assert.Equal(format, image.Format);
        Assert.Equal((32, 16), (image.Width, image.Height));
        AssertColor(image, 4, 8, new SKColor(255, 0, 128), tolerance);
        AssertColor(image, 27, 8, new SKColor(0, 200, 40), tolerance);
    }

    [Fact]
    public void Decodes_a_hand_written_gif()
    {
        using var image = Decode(TestImages.Gif2x2());

        Assert.Equal(SKEncodedImageFormat.Gif, image.Format);
        Assert.Equal((2, 2), (image.Width, image.Height));
        AssertColor(image, 0, 0, SKColors.Red, 0);
        AssertColor(image, 1, 0, SKColors.Blue, 0);
        AssertColor(image, 0, 1, SKColors.Blue, 0);
        AssertColor(image, 1, 1, SKColors.Red, 0);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    [InlineData(SKEncodedImageFormat.Gif)]
    public void Every_format_goes_through_the_preprocessor(SKEncodedImageFormat format)
    {
        var bytes = format == SKEncodedImageFormat.Gif ? TestImages.Gif2x2() : TestImages.Solid(448, 224, SKColors.Gray, format);

        var image = new ImagePreprocessor(Defaults).Preprocess(bytes);

        Assert.Equal(format == SKEncodedImageFormat.Gif ? new TileGrid(1, 1) : new TileGrid(2, 1), image.Grid);
        Assert.Equal(image.TileCount * 3 * 224 * 224, image.Pixels.Length);
    }

    [Fact]
    public void Alpha_is_dropped_keeping_the_stored_colour()
    {
        // Unpremultiplied RGBA written byte by byte: (200, 100, 50) at alpha 10, (10, 20, 30) at alpha 0.
        using var bitmap = new SKBitmap(new SKImageInfo(2, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        byte[] rgba = [200, 100, 50, 10, 10, 20, 30, 0];
        rgba.CopyTo(bitmap.GetPixelSpan());
        var bytes = TestImages.Encode(bitmap, SKEncodedImageFormat.Png);

        using var image = Decode(bytes);

        Assert.Equal(new byte[] { 200, 100, 50, 255, 10, 20, 30, 255 }, image.Bitmap.GetPixelSpan()[..8].ToArray());
    }

    [Fact]
    public void Exif_orientation_turns_a_jpeg_upright()
    {
        // Stored 32×16, left half red, right half blue, tagged 6 (RightTop: rotate 90° clockwise to view):
        // upright it is 16×32 with red on top.
        var stored = TestImages.Encode(32, 16, (x, _) => x < 16 ? SKColors.Red : SKColors.Blue, SKEncodedImageFormat.Jpeg);

        using var image = Decode(TestImages.WithExifOrientation(stored, 6));

        Assert.Equal((16, 32), (image.Width, image.Height));
        AssertColor(image, 8, 4, SKColors.Red, 8);
        AssertColor(image, 8, 27, SKColors.Blue, 8);
    }

    [Theory]
    [InlineData(SKEncodedOrigin.TopLeft, 3, 2, "abcdef")]
    [InlineData(SKEncodedOrigin.TopRight, 3, 2, "cbafed")]
    [InlineData(SKEncodedOrigin.BottomRight, 3, 2, "fedcba")]
    [InlineData(SKEncodedOrigin.BottomLeft, 3, 2, "defabc")]
    [InlineData(SKEncodedOrigin.LeftTop, 2, 3, "adbecf")]
    [InlineData(SKEncodedOrigin.RightTop, 2, 3, "daebfc")]
    [InlineData(SKEncodedOrigin.RightBottom, 2, 3, "fcebda")]
    [InlineData(SKEncodedOrigin.LeftBottom, 2, 3, "cfbead")]
    public void Orientation_places_every_pixel_where_EXIF_says(SKEncodedOrigin origin, int width, int height, string expected)
    {
        // Stored 3×2:  a b c / d e f. Each EXIF origin names where stored row 0 and column 0 are shown,
        // e.g. RightTop: row 0 (a b c) becomes the right column read downwards → d a / e b / f c.
        using var source = TestImages.Bitmap(3, 2, (x, y) => new SKColor((byte)('a' + (y * 3) + x), 0, 0));

        var upright = ImageOrientation.Apply(source, origin);
        try
        {
            Assert.Equal((width, height), (upright.Width, upright.Height));
            var actual = new StringBuilder();
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    actual.Append((char)upright.GetPixel(x, y).Red);
                }
            }

            Assert.Equal(expected, actual.ToString());
        }
        finally
        {
            if (!ReferenceEquals(upright, source))
            {
                upright.Dispose();
            }
        }
    }

    public static TheoryData<string, string> BadInputs => new()
    {
        { "empty", InvalidImageCode.Empty },
        { "random bytes", InvalidImageCode.UnsupportedFormat },
        { "text hello", InvalidImageCode.UnsupportedFormat },
        { "first byte of the PNG signature", InvalidImageCode.UnsupportedFormat },
        { "BMP", InvalidImageCode.UnsupportedFormat },
        { "PNG signature only", InvalidImageCode.Corrupt },
        { "first half of a small PNG", InvalidImageCode.Corrupt },
        { "first half of a small JPEG", InvalidImageCode.Corrupt },
        { "PNG cut inside its pixel data", InvalidImageCode.Corrupt },
        { "JPEG cut inside its pixel data", InvalidImageCode.Corrupt },
        { "WebP cut inside its pixel data", InvalidImageCode.Corrupt },
        { "GIF without its image data", InvalidImageCode.Corrupt },
        { "JPEG start-of-image marker only", InvalidImageCode.Corrupt },
        { "PNG header without pixel data", InvalidImageCode.Corrupt },
        { "PNG header claiming 0×10", InvalidImageCode.Corrupt },
        { "PNG with a damaged IDAT", InvalidImageCode.Corrupt },
        // Neither carries the pixel data it claims: decoding before checking the limit would report image_corrupt.
        { "PNG header claiming 20000×20000", InvalidImageCode.TooManyPixels },
        { "GIF header claiming 20000×20000", InvalidImageCode.TooManyPixels },
        { "more bytes than MaxImageBytes", InvalidImageCode.TooLarge },
        { "side shorter than MinSide", InvalidImageCode.TooSmall },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_is_refused_with_its_code(string input, string code)
    {
        var (bytes, options) = BadInput(input);

        var error = Assert.Throws<InvalidImageException>(() => new ImagePreprocessor(options).Preprocess(bytes));

        Assert.Equal(code, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Null_bytes_are_refused_as_empty()
    {
        var error = Assert.Throws<InvalidImageException>(() => new ImagePreprocessor(Defaults).Preprocess((byte[]?)null));

        Assert.Equal(InvalidImageCode.Empty, error.Code);
    }

    [Fact]
    public void Messages_state_the_size_and_the_limit()
    {
        var tooMany = Assert.Throws<InvalidImageException>(() => new ImagePreprocessor(Defaults).Preprocess(TestImages.PngWithHeader(20000, 20000)));
        Assert.Contains("20000×20000", tooMany.Message);
        Assert.Contains((7680L * 4320).ToString(), tooMany.Message);

        var png = TestImages.Solid(8, 8, SKColors.Gray);
        var tooLarge = Assert.Throws<InvalidImageException>(() => new ImagePreprocessor(new ImagePreprocessOptions { MaxImageBytes = 20 }).Preprocess(png));
        Assert.Contains($"{png.Length} bytes", tooLarge.Message);
        Assert.Contains("limit is 20 bytes", tooLarge.Message);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    [InlineData(SKEncodedImageFormat.Gif)]
    public void Every_truncation_either_decodes_or_is_refused_as_invalid_image(SKEncodedImageFormat format)
    {
        var whole = format == SKEncodedImageFormat.Gif
            ? TestImages.Gif2x2()
            : TestImages.Encode(24, 16, (x, y) => new SKColor((byte)(x * 10), (byte)(y * 15), (byte)(x * y)), format);
        var refused = 0;
        for (var length = 0; length < whole.Length; length++)
        {
            refused += DecodesOrRefuses(whole.AsSpan(0, length).ToArray()) ? 0 : 1;
        }

        // Shorter than the header is always refused; most prefixes are.
        Assert.True(refused > whole.Length / 2, $"{refused} of {whole.Length} prefixes refused");
    }

    [Fact]
    public void Corrupted_bytes_either_decode_or_are_refused_as_invalid_image()
    {
        var random = new Random(1234);
        foreach (var format in new[] { SKEncodedImageFormat.Png, SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Webp })
        {
            var whole = TestImages.Encode(24, 16, (x, y) => new SKColor((byte)(x * 10), (byte)(y * 15), 99), format);
            for (var trial = 0; trial < 300; trial++)
            {
                var damaged = (byte[])whole.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
                }

                DecodesOrRefuses(damaged);
            }
        }

        for (var trial = 0; trial < 300; trial++)
        {
            var noise = new byte[random.Next(1, 200)];
            random.NextBytes(noise);
            DecodesOrRefuses(noise);
        }
    }

    /// <summary>True when the bytes decode, false when refused with <see cref="InvalidImageException"/>; any other exception fails the test.</summary>
    private static bool DecodesOrRefuses(byte[] bytes)
    {
        try
        {
            // A small pixel limit keeps a damaged header that claims a huge image from costing real memory.
            using var image = ImageDecoder.Decode(bytes, Defaults.MaxImageBytes, maxPixels: 1 << 20, minSide: 1);
            return true;
        }
        catch (InvalidImageException error)
        {
            Assert.False(string.IsNullOrEmpty(error.Code));
            return false;
        }
    }

    private static (byte[] Bytes, ImagePreprocessOptions Options) BadInput(string name)
    {
        var png = TestImages.Encode(24, 16, (x, y) => new SKColor((byte)(x * 10), (byte)(y * 15), 7), SKEncodedImageFormat.Png);
        var jpeg = TestImages.Encode(24, 16, (x, y) => new SKColor((byte)(x * 10), (byte)(y * 15), 7), SKEncodedImageFormat.Jpeg);
        var options = new ImagePreprocessOptions();
        byte[] bytes = name switch
        {
            "empty" => [],
            "random bytes" => RandomBytes(),
            "text hello" => "hello"u8.ToArray(),
            "first byte of the PNG signature" => [0x89],
            "BMP" => TestImages.Bmp2x2(),
            "PNG signature only" => TestImages.PngSignature,
            "first half of a small PNG" => png[..(png.Length / 2)],
            "first half of a small JPEG" => jpeg[..(jpeg.Length / 2)],
            "PNG cut inside its pixel data" => FirstHalf(Noise(SKEncodedImageFormat.Png)),
            "JPEG cut inside its pixel data" => FirstHalf(Noise(SKEncodedImageFormat.Jpeg)),
            "WebP cut inside its pixel data" => FirstHalf(Noise(SKEncodedImageFormat.Webp)),
            "GIF without its image data" => TestImages.Gif2x2()[..19], // header and palette, no image descriptor
            "JPEG start-of-image marker only" => [0xFF, 0xD8, 0xFF],
            "PNG header without pixel data" => [.. TestImages.PngSignature, .. TestImages.Chunk("IHDR", [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0])],
            "PNG header claiming 0×10" => TestImages.PngWithHeader(0, 10),
            "PNG with a damaged IDAT" => DamageIdat(png),
            "PNG header claiming 20000×20000" => TestImages.PngWithHeader(20000, 20000),
            "GIF header claiming 20000×20000" => TestImages.GifClaiming(20000),
            "more bytes than MaxImageBytes" => png,
            "side shorter than MinSide" => png,
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
        if (name == "more bytes than MaxImageBytes")
        {
            options.MaxImageBytes = png.Length - 1;
        }

        if (name == "side shorter than MinSide")
        {
            options.MinSide = 17; // the PNG is 24×16
        }

        return (bytes, options);
    }

    /// <summary>64×64 of pseudo-random colours: barely compressible, so half the file ends well inside the pixel data.</summary>
    private static byte[] Noise(SKEncodedImageFormat format) =>
        TestImages.Encode(64, 64, (x, y) => new SKColor((byte)(x * 131 ^ y * 71), (byte)(x * y * 17), (byte)((x + y) * 43)), format);

    private static byte[] FirstHalf(byte[] bytes) => bytes[..(bytes.Length / 2)];

    private static byte[] RandomBytes()
    {
        var bytes = new byte[1000];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Overwrites the middle of the IDAT data; the chunk's CRC no longer matches and the zlib stream is broken.</summary>
    private static byte[] DamageIdat(byte[] png)
    {
        var damaged = (byte[])png.Clone();
        var idat = damaged.AsSpan().IndexOf("IDAT"u8);
        Assert.True(idat > 0);
        var length = (damaged[idat - 4] << 24) | (damaged[idat - 3] << 16) | (damaged[idat - 2] << 8) | damaged[idat - 1];
        damaged.AsSpan(idat + 4 + (length / 4), length / 2).Fill(0xA5);
        return damaged;
    }

    private static DecodedImage Decode(byte[] bytes) => ImageDecoder.Decode(bytes, Defaults.MaxImageBytes, Defaults.MaxPixels, Defaults.MinSide);

    private static void AssertColor(DecodedImage image, int x, int y, SKColor expected, int tolerance)
    {
        var actual = image.Bitmap.GetPixel(x, y);
        Assert.True(
            Math.Abs(actual.Red - expected.Red) <= tolerance && Math.Abs(actual.Green - expected.Green) <= tolerance
            && Math.Abs(actual.Blue - expected.Blue) <= tolerance && actual.Alpha == 255,
            $"pixel ({x}, {y}) is {actual}, expected {expected} ± {tolerance}");
    }
}
