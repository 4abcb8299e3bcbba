using SkiaSharp;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>Draws deterministic pictures (gradient, shapes, stripes) from a seed and encodes them with SkiaSharp.</summary>
internal static class SyntheticImageRenderer
{
    /// <summary>A common export quality for photos on the web.</summary>
    public const int JpegQuality = 90;

    /// <summary>Enough shapes that images with different seeds differ visibly and do not compress to nothing.</summary>
    private const int ShapeCount = 24;

    public static byte[] Render(SyntheticImageSpec spec)
    {
        var random = new Random(spec.Seed);
        using var bitmap = new SKBitmap(new SKImageInfo(spec.Width, spec.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var background = new SKPaint();
            background.Shader = SKShader.CreateLinearGradient(
                new SKPoint(0, 0),
                new SKPoint(spec.Width, spec.Height),
                [RandomColor(random), RandomColor(random)],
                SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, spec.Width, spec.Height, background);

            using var paint = new SKPaint { IsAntialias = true };
            for (var i = 0; i < ShapeCount; i++)
            {
                paint.Color = RandomColor(random).WithAlpha((byte)random.Next(96, 256));
                var x = (float)(random.NextDouble() * spec.Width);
                var y = (float)(random.NextDouble() * spec.Height);
                var size = (float)(random.NextDouble() * Math.Min(spec.Width, spec.Height) / 3) + 1;
                switch (random.Next(3))
                {
                    case 0:
                        canvas.DrawCircle(x, y, size, paint);
                        break;
                    case 1:
                        canvas.DrawRect(x, y, size * 1.5f, size, paint);
                        break;
                    default:
                        paint.StrokeWidth = Math.Max(1, size / 8);
                        canvas.DrawLine(x, y, (float)(random.NextDouble() * spec.Width), (float)(random.NextDouble() * spec.Height), paint);
                        break;
                }
            }
        }

        using var pixmap = bitmap.PeekPixels();
        using var data = spec.Format == ImageFormat.Png
            ? pixmap.Encode(SKEncodedImageFormat.Png, 100)
            : pixmap.Encode(new SKJpegEncoderOptions(JpegQuality));
        return data?.ToArray() ?? throw new InvalidOperationException($"SkiaSharp could not encode a {spec.Width}x{spec.Height} {spec.Format} image.");
    }

    public static string ToDataUrl(SyntheticImageSpec spec) =>
        $"data:{spec.Format.MimeType()};base64,{Convert.ToBase64String(Render(spec))}";

    private static SKColor RandomColor(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
