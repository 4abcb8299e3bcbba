using SkiaSharp;

namespace EpdCluster.Cluster.Tests;

/// <summary>Deterministic images encoded as data URLs, drawn with SkiaSharp.</summary>
internal static class TestImages
{
    public static string DataUrl(int width, int height, int seed, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            var random = new Random(seed);
            canvas.Clear(new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            using var paint = new SKPaint { IsAntialias = true };
            for (var i = 0; i < 6; i++)
            {
                paint.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                canvas.DrawCircle(random.Next(width), random.Next(height), 5 + random.Next(Math.Max(6, Math.Min(width, height) / 3)), paint);
            }
        }

        using var data = bitmap.Encode(format, 90);
        var mime = format == SKEncodedImageFormat.Png ? "image/png" : "image/jpeg";
        return $"data:{mime};base64,{Convert.ToBase64String(data.ToArray())}";
    }
}
