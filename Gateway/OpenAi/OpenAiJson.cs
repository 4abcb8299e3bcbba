using System.Text.Encodings.Web;
using System.Text.Json;
using EpdCluster.Gateway.OpenAi.Json;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>The serializer settings of the OpenAI surface: every wire name is explicit on the DTOs.</summary>
internal static class OpenAiJson
{
    /// <summary>
    /// Responses and SSE events. Nulls are written unless a property says otherwise, as OpenAI does. Text is
    /// written as UTF-8, not \u-escaped: these bodies are JSON for API clients, never embedded in HTML.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Request bodies: case-sensitive names, unknown fields ignored, no numbers in strings, and converters
    /// whose errors say which JSON type was expected and which was sent.
    /// </summary>
    public static JsonSerializerOptions RequestOptions { get; } = new(JsonSerializerDefaults.General)
    {
        Converters =
        {
            new StrictInt32Converter(),
            new StrictInt64Converter(),
            new StrictDoubleConverter(),
            new StrictBooleanConverter(),
            new StrictStringConverter(),
        },
    };

    /// <summary>"a string", "an object", ...: how the error messages name what a client sent.</summary>
    public static string DescribeToken(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    /// <summary>Same as <see cref="DescribeToken"/> for an already parsed value.</summary>
    public static string DescribeKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
