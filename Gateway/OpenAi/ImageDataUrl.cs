using System.Globalization;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>
/// Parses <c>data:image/png;base64,…</c> image URLs. Network URLs are refused: the server never fetches
/// anything a client names (no SSRF). Serving http(s) images would need an allow-list of hosts and a bounded
/// fetcher, neither of which exists.
/// </summary>
internal static class ImageDataUrl
{
    private const string DataScheme = "data:";
    private const string Base64Flag = "base64";
    private const int Base64CharsPerQuantum = 4;
    private const int BytesPerQuantum = 3;

    /// <summary>The media types of the formats the image decoder reads (image/jpg is a common misspelling of image/jpeg).</summary>
    private static readonly HashSet<string> ImageMediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/png", "image/jpeg", "image/jpg", "image/webp", "image/gif",
    };

    /// <summary>Checks the URL's shape and the decoded size bound without decoding; throws 400 naming <paramref name="param"/>.</summary>
    public static InlineImage Parse(string url, string param, long maxImageBytes)
    {
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw OpenAiErrors.InvalidRequest(
                $"Image URLs are not fetched by this server: send the image inline as a base64 data URL (data:image/png;base64,...) at '{param}'. "
                + "Fetching http(s) images would need an allow-list of hosts, which this server does not have.",
                param,
                "image_url_not_allowed");
        }

        if (!url.StartsWith(DataScheme, StringComparison.OrdinalIgnoreCase))
        {
            throw OpenAiErrors.InvalidRequest($"Invalid image URL at '{param}': expected a base64 data URL (data:image/png;base64,...).", param, "invalid_image_url");
        }

        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            throw OpenAiErrors.InvalidRequest($"Invalid data URL at '{param}': there is no ',' before the data.", param, "invalid_image_url");
        }

        var header = url[DataScheme.Length..comma].Split(';', StringSplitOptions.TrimEntries);
        var mediaType = header[0];
        if (!header.Skip(1).Contains(Base64Flag, StringComparer.OrdinalIgnoreCase))
        {
            throw OpenAiErrors.InvalidRequest($"Invalid data URL at '{param}': the image must be base64-encoded (data:{mediaType};base64,...).", param, "invalid_image_url");
        }

        if (!ImageMediaTypes.Contains(mediaType))
        {
            throw OpenAiErrors.InvalidRequest(
                $"Unsupported image media type '{mediaType}' at '{param}': use image/png, image/jpeg, image/webp or image/gif.",
                param,
                "unsupported_image_media_type");
        }

        var payload = url.AsMemory(comma + 1);
        if (MaxDecodedLength(payload.Length) > maxImageBytes + BytesPerQuantum)
        {
            throw OpenAiErrors.InvalidRequest(
                string.Create(CultureInfo.InvariantCulture, $"The image at '{param}' is larger than the limit of {maxImageBytes} bytes (Epd:Imaging:MaxImageBytes)."),
                param,
                "image_too_large");
        }

        return new InlineImage(param, mediaType.ToLowerInvariant(), payload);
    }

    /// <summary>Bytes that <paramref name="base64Length"/> characters can decode to at most.</summary>
    public static int MaxDecodedLength(int base64Length) =>
        (int)Math.Min(int.MaxValue, ((base64Length + Base64CharsPerQuantum - 1L) / Base64CharsPerQuantum) * BytesPerQuantum);
}
