using System.Runtime.InteropServices;
using SkiaSharp;

namespace EpdCluster.Engine.Imaging;

/// <summary>
/// Turns stored pixels upright according to the EXIF orientation, so the model sees what a browser or
/// photo viewer shows. The origin names where stored row 0 and column 0 appear when displayed.
/// </summary>
internal static class ImageOrientation
{
    /// <summary>
    /// Returns <paramref name="source"/> itself when it is already upright, otherwise a new opaque RGBA8888
    /// bitmap (the caller then owns both).
    /// </summary>
    public static SKBitmap Apply(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft || !Enum.IsDefined(origin))
        {
            return source;
        }

        var width = source.Width;
        var height = source.Height;
        var swapsSides = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (targetWidth, targetHeight) = swapsSides ? (height, width) : (width, height);
        var target = new SKBitmap(new SKImageInfo(targetWidth, targetHeight, SKColorType.Rgba8888, SKAlphaType.Opaque));

        // One RGBA8888 pixel is one uint, so each move copies a whole pixel.
        ReadOnlySpan<uint> from = MemoryMarshal.Cast<byte, uint>(source.GetPixelSpan());
        var to = MemoryMarshal.Cast<byte, uint>(target.GetPixelSpan());
        var fromStride = source.RowBytes / sizeof(uint);
        var toStride = target.RowBytes / sizeof(uint);
        for (var y = 0; y < targetHeight; y++)
        {
            for (var x = 0; x < targetWidth; x++)
            {
                var (sourceX, sourceY) = origin switch
                {
                    SKEncodedOrigin.TopRight => (width - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (width - 1 - x, height - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, height - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, height - 1 - x),
                    SKEncodedOrigin.RightBottom => (width - 1 - y, height - 1 - x),
                    _ => (width - 1 - y, x), // LeftBottom
                };
                to[(y * toStride) + x] = from[(sourceY * fromStride) + sourceX];
            }
        }

        return target;
    }
}
