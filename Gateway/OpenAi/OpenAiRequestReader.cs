using System.Text.Json;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.OpenAi.Json;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>
/// Reads a JSON request body into its DTO within the body limit. Every failure is an <see cref="OpenAiException"/>:
/// 413 for a body over the limit, 400 for anything that is not a JSON object or has a field of the wrong type
/// (naming the field).
/// </summary>
internal sealed class OpenAiRequestReader(GatewayLimits limits)
{
    private const string JsonRoot = "$";

    /// <summary>Nesting this deep is never a real request; the default JSON limit is 64.</summary>
    private const int MaxJsonDepth = 32;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxJsonDepth };

    public async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > limits.MaxRequestBodyBytes)
        {
            throw OpenAiErrors.BodyTooLarge(limits.MaxRequestBodyBytes);
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, DocumentOptions, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw OpenAiErrors.BodyTooLarge(limits.MaxRequestBodyBytes);
        }
        catch (BadHttpRequestException e)
        {
            throw OpenAiErrors.InvalidRequest($"The request body could not be read: {e.Message}", code: "invalid_body");
        }
        catch (JsonException e)
        {
            throw OpenAiErrors.InvalidRequest(
                $"The request body is not valid JSON ({DescribeSyntaxError(e)}). Send a JSON object with Content-Type: application/json.",
                code: "invalid_json");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw OpenAiErrors.InvalidRequest(
                    $"The request body must be a JSON object, but it is {OpenAiJson.DescribeKind(document.RootElement.ValueKind)}.",
                    code: "invalid_json");
            }

            try
            {
                return document.RootElement.Deserialize<T>(OpenAiJson.RequestOptions)
                    ?? throw OpenAiErrors.InvalidRequest("The request body must be a JSON object.", code: "invalid_json");
            }
            catch (JsonFieldTypeException e)
            {
                throw OpenAiErrors.InvalidType(ParameterName(e.Path), e.Expected, e.Actual);
            }
            catch (JsonException e)
            {
                // An object where an array belongs, or the reverse: the built-in converters refused the shape.
                var param = ParameterName(e.Path);
                throw OpenAiErrors.InvalidRequest($"Invalid type for '{param}': the value does not have the JSON type this parameter takes.", param, "invalid_type");
            }
        }
    }

    /// <summary><c>$.messages[0].role</c> → <c>messages[0].role</c>, OpenAI's way of naming a nested parameter.</summary>
    internal static string ParameterName(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == JsonRoot)
        {
            return "body";
        }

        return jsonPath.StartsWith(JsonRoot + ".", StringComparison.Ordinal) ? jsonPath[(JsonRoot.Length + 1)..] : jsonPath;
    }

    private static string DescribeSyntaxError(JsonException e) =>
        e.LineNumber is { } line && e.BytePositionInLine is { } position
            ? $"line {line + 1}, byte {position + 1}"
            : "no JSON value";
}
