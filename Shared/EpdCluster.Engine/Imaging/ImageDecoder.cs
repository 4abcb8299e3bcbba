using SkiaSharp;

namespace EpdCluster.Engine.Imaging;

/// <summary>
/// Decodes PNG, JPEG, WebP and GIF (first frame) with SkiaSharp's <see cref="SKCodec"/>. Limits on bytes and
/// pixels are enforced from the header before any pixel memory is allocated; every refusal is an
/// <see cref="InvalidImageException"/>.
/// </summary>
internal static class ImageDecoder
{
    private const string SupportedFormatsOr = "PNG, JPEG, WebP or GIF";
    private const string SupportedFormatsAnd = "PNG, JPEG, WebP and GIF";
    private const int BytesPerPixel = 4;
    private const int AlphaOffset = 3;
    private const byte OpaqueAlpha = byte.MaxValue;
    private const long BytesPerMebibyte = 1024 * 1024;

    /// <summary>Where "WEBP" sits in a RIFF header: after "RIFF" and the 4-byte chunk size.</summary>
    private const int WebpFourCcOffset = 8;

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] JpegSignature = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] Gif87Signature = "GIF87a"u8.ToArray();
    private static readonly byte[] Gif89Signature = "GIF89a"u8.ToArray();
    private static readonly byte[] RiffSignature = "RIFF"u8.ToArray();
    private static readonly byte[] WebpFourCc = "WEBP"u8.ToArray();

    public static DecodedImage Decode(ReadOnlySpan<byte> bytes, long maxImageBytes, long maxPixels, int minSide)
    {
        if (bytes.IsEmpty)
        {
            throw new InvalidImageException(InvalidImageCode.Empty, "The image is empty (0 bytes).");
        }

        if (bytes.Length > maxImageBytes)
        {
            throw new InvalidImageException(
                InvalidImageCode.TooLarge,
                $"The image is {bytes.Length} bytes; the limit is {maxImageBytes} bytes{DescribeMebibytes(maxImageBytes)}.");
        }

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            throw SniffFormat(bytes) is { } looksLike
                ? new InvalidImageException(
                    InvalidImageCode.Corrupt,
                    $"The image starts like a {looksLike} file but its header cannot be read: the file is damaged or truncated ({bytes.Length} bytes).")
                : new InvalidImageException(
                    InvalidImageCode.UnsupportedFormat,
                    $"The data is not a {SupportedFormatsOr} image.");
        }

        var format = codec.EncodedFormat;
        if (format is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Webp or SKEncodedImageFormat.Gif))
        {
            throw new InvalidImageException(
                InvalidImageCode.UnsupportedFormat,
                $"The image is {FormatName(format)}; the supported formats are {SupportedFormatsAnd}.");
        }

        var width = codec.Info.Width;
        var height = codec.Info.Height;
        if (width < 1 || height < 1)
        {
            throw new InvalidImageException(InvalidImageCode.Corrupt, $"The {FormatName(format)} header declares no pixels ({width}×{height}).");
        }

        var pixels = (long)width * height;
        if (pixels > maxPixels)
        {
            throw new InvalidImageException(
                InvalidImageCode.TooManyPixels,
                $"The image is {width}×{height} = {pixels} pixels; the limit is {maxPixels} pixels.");
        }

        if (Math.Min(width, height) < minSide)
        {
            throw new InvalidImageException(
                InvalidImageCode.TooSmall,
                $"The image is {width}×{height}; each side must be at least {minSide} pixels.");
        }

        return DecodePixels(codec, width, height, format);
    }

    private static DecodedImage DecodePixels(SKCodec codec, int width, int height, SKEncodedImageFormat format)
    {
        // A null colour space on the target means no colour management: stored values pass through as
        // PIL (the reference preprocessing) reads them.
        var decodeInfo = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        SKBitmap? bitmap = new(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        SKBitmap? upright = null;
        try
        {
            var address = bitmap.GetPixels();
            if (address == IntPtr.Zero)
            {
                throw new InvalidOperationException($"Could not allocate {(long)width * height * BytesPerPixel} bytes for a {width}×{height} image.");
            }

            // Frame 0 of an animated GIF or WebP never depends on other frames, so the defaults decode it alone.
            var result = codec.GetPixels(decodeInfo, address, bitmap.RowBytes, SKCodecOptions.Default);
            if (result != SKCodecResult.Success)
            {
                // IncompleteInput leaves a partly filled image; a model answer about half a picture is worse than an error.
                throw new InvalidImageException(
                    InvalidImageCode.Corrupt,
                    $"The {FormatName(format)} image ({width}×{height}) could not be decoded ({result}): the data is damaged or truncated.");
            }

            if (codec.Info.AlphaType != SKAlphaType.Opaque)
            {
                DropAlpha(bitmap.GetPixelSpan());
            }

            upright = ImageOrientation.Apply(bitmap, codec.EncodedOrigin);
            if (!ReferenceEquals(upright, bitmap))
            {
                bitmap.Dispose();
            }

            bitmap = null;
            var decoded = new DecodedImage(upright, format);
            upright = null;
            return decoded;
        }
        finally
        {
            upright?.Dispose();
            bitmap?.Dispose();
        }
    }

    /// <summary>
    /// Keeps each pixel's stored colour and makes it opaque, as PIL's <c>convert("RGB")</c> in InternVL's
    /// preprocessing does; blending onto a background would change what the model was trained on.
    /// </summary>
    private static void DropAlpha(Span<byte> rgba)
    {
        for (var i = AlphaOffset; i < rgba.Length; i += BytesPerPixel)
        {
            rgba[i] = OpaqueAlpha;
        }
    }

    /// <summary>Names the supported format whose signature the data starts with, or null.</summary>
    private static string? SniffFormat(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(PngSignature))
        {
            return "PNG";
        }

        if (bytes.StartsWith(JpegSignature))
        {
            return "JPEG";
        }

        if (bytes.StartsWith(Gif87Signature) || bytes.StartsWith(Gif89Signature))
        {
            return "GIF";
        }

        if (bytes.StartsWith(RiffSignature) && bytes.Length >= WebpFourCcOffset + WebpFourCc.Length
            && bytes.Slice(WebpFourCcOffset, WebpFourCc.Length).SequenceEqual(WebpFourCc))
        {
            return "WebP";
        }

        return null;
    }

    private static string DescribeMebibytes(long bytes) =>
        bytes >= BytesPerMebibyte ? $" ({(double)bytes / BytesPerMebibyte:0.##} MiB)" : "";

    private static string FormatName(SKEncodedImageFormat format) => format switch
    {
        SKEncodedImageFormat.Png => "PNG",
        SKEncodedImageFormat.Jpeg => "JPEG",
        SKEncodedImageFormat.Webp => "WebP",
        SKEncodedImageFormat.Gif => "GIF",
        _ => format.ToString().ToUpperInvariant(),
    };
}
