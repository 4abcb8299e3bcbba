using SkiaSharp;

namespace EpdCluster.Engine.Imaging;

/// <summary>Resizes opaque RGBA8888 bitmaps with a bicubic filter that stays free of aliasing when shrinking a lot.</summary>
internal static class ImageResampler
{
    /// <summary>
    /// Catmull-Rom is the Keys cubic with a = −0.5, the kernel of PIL's BICUBIC that InternVL's reference
    /// preprocessing resizes with; matching it keeps tiles close to what the vision tower was trained on.
    /// </summary>
    private static readonly SKSamplingOptions FinalSampling = new(SKCubicResampler.CatmullRom);

    /// <summary>At exactly half size, bilinear sampling averages each 2×2 block: a box filter.</summary>
    private static readonly SKSamplingOptions HalvingSampling = new(SKFilterMode.Linear, SKMipmapMode.None);

    /// <summary>A cubic kernel spans 2 source pixels each side, so it reads every pixel only down to half size.</summary>
    private const int MaxCubicShrink = 2;

    /// <summary>Returns a new bitmap of the requested size; the caller owns it, the source is left untouched.</summary>
    public static SKBitmap Resize(SKBitmap source, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (source.Width == width && source.Height == height)
        {
            return source.Copy() ?? throw new InvalidOperationException($"Could not copy a {width}×{height} bitmap.");
        }

        // Shrinking by more than 2× with a plain cubic skips source pixels (aliasing, moiré); halve with a
        // box filter first, as PIL widens its kernel when it downsamples.
        var current = source;
        try
        {
            while (current.Width >= MaxCubicShrink * width || current.Height >= MaxCubicShrink * height)
            {
                var halfWidth = current.Width >= MaxCubicShrink * width ? current.Width / MaxCubicShrink : current.Width;
                var halfHeight = current.Height >= MaxCubicShrink * height ? current.Height / MaxCubicShrink : current.Height;
                var half = Scale(current, halfWidth, halfHeight, HalvingSampling);
                if (!ReferenceEquals(current, source))
                {
                    current.Dispose();
                }

                current = half;
            }

            if (current.Width == width && current.Height == height)
            {
                var exact = current;
                current = source;
                return exact;
            }

            return Scale(current, width, height, FinalSampling);
        }
        finally
        {
            if (!ReferenceEquals(current, source))
            {
                current.Dispose();
            }
        }
    }

    private static SKBitmap Scale(SKBitmap source, int width, int height, SKSamplingOptions sampling)
    {
        var target = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        if (!source.ScalePixels(target, sampling))
        {
            target.Dispose();
            throw new InvalidOperationException($"SkiaSharp could not scale a {source.Width}×{source.Height} bitmap to {width}×{height}.");
        }

        return target;
    }
}
