using SkiaSharp;

namespace EpdCluster.Engine.Imaging;

/// <summary>
/// Decoded pixels upright (EXIF orientation applied), opaque RGBA8888 with alpha dropped. Owns the native
/// bitmap: dispose it.
/// </summary>
internal sealed class DecodedImage(SKBitmap bitmap, SKEncodedImageFormat format) : IDisposable
{
    public SKBitmap Bitmap { get; } = bitmap;

    public SKEncodedImageFormat Format { get; } = format;

    public int Width => Bitmap.Width;

    public int Height => Bitmap.Height;

    public void Dispose() => Bitmap.Dispose();
}
