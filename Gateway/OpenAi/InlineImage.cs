namespace EpdCluster.Gateway.OpenAi;

/// <summary>An image sent as a base64 <c>data:</c> URL, checked for shape and size but not yet decoded.</summary>
/// <param name="Param">Where it is in the request, e.g. <c>messages[0].content[1].image_url</c>.</param>
/// <param name="MediaType">The declared type (image/png, image/jpeg, image/webp or image/gif); the decoder checks the bytes themselves.</param>
/// <param name="Base64">The payload after the comma, still encoded (a slice of the request's string).</param>
internal sealed record InlineImage(string Param, string MediaType, ReadOnlyMemory<char> Base64)
{
    /// <summary>Decodes the payload; throws 400 <c>invalid_base64</c> when it is not base64.</summary>
    public byte[] DecodeBytes()
    {
        var buffer = new byte[ImageDataUrl.MaxDecodedLength(Base64.Length)];
        if (!Convert.TryFromBase64Chars(Base64.Span, buffer, out var written))
        {
            throw OpenAiErrors.InvalidRequest($"The image at '{Param}' is not valid base64 after 'base64,'.", Param, "invalid_base64");
        }

        return written == buffer.Length ? buffer : buffer[..written];
    }
}
