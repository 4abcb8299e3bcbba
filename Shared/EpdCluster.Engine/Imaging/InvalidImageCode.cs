namespace EpdCluster.Engine.Imaging;

/// <summary>Machine-readable reasons an image is refused, carried by <see cref="InvalidImageException.Code"/>.</summary>
public static class InvalidImageCode
{
    /// <summary>No bytes at all.</summary>
    public const string Empty = "image_empty";

    /// <summary>More encoded bytes than <see cref="ImagePreprocessOptions.MaxImageBytes"/>.</summary>
    public const string TooLarge = "image_too_large";

    /// <summary>The header declares more pixels than <see cref="ImagePreprocessOptions.MaxPixels"/>.</summary>
    public const string TooManyPixels = "image_too_many_pixels";

    /// <summary>A side is shorter than <see cref="ImagePreprocessOptions.MinSide"/>.</summary>
    public const string TooSmall = "image_too_small";

    /// <summary>Not PNG, JPEG, WebP or GIF.</summary>
    public const string UnsupportedFormat = "image_unsupported_format";

    /// <summary>A supported format whose header or pixel data is damaged or truncated.</summary>
    public const string Corrupt = "image_corrupt";
}
