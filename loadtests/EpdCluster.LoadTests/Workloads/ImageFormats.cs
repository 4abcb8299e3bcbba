using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Workloads;

internal static class ImageFormats
{
    public static string MimeType(this ImageFormat format) => format == ImageFormat.Png ? "image/png" : "image/jpeg";

    public static ImageFormat Parse(string text, string option) => text.Trim().ToLowerInvariant() switch
    {
        "png" => ImageFormat.Png,
        "jpeg" or "jpg" => ImageFormat.Jpeg,
        _ => throw new LoadOptionsException($"{option}: unknown image format '{text}'; use png or jpeg."),
    };
}
