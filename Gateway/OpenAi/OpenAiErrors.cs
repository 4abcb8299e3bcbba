using System.Globalization;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>Builds the gateway's errors, so each kind has one message shape, type and code.</summary>
internal static class OpenAiErrors
{
    /// <summary>OpenAI's wording for its own unexpected failures; nothing about the cause leaks.</summary>
    public const string InternalMessage = "The server had an error while processing your request. The error was logged; retrying may help.";

    public static OpenAiException InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, new OpenAiError(message, OpenAiErrorType.InvalidRequest, param, code));

    public static OpenAiException InvalidType(string param, string expected, string actual) =>
        InvalidRequest($"Invalid type for '{param}': expected {expected}, but got {actual} instead.", param, "invalid_type");

    public static OpenAiException InvalidValue(string param, string message) =>
        InvalidRequest($"Invalid value for '{param}': {message}", param, "invalid_value");

    public static OpenAiException MissingParameter(string param) =>
        InvalidRequest($"Missing required parameter: '{param}'.", param, "missing_required_parameter");

    public static OpenAiException Unsupported(string param, string message) =>
        InvalidRequest(message, param, "unsupported_parameter");

    public static OpenAiException ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, new OpenAiError(
            $"The model '{model}' does not exist. GET /v1/models lists the models this server serves.",
            OpenAiErrorType.InvalidRequest,
            "model",
            "model_not_found"));

    public static OpenAiError UnknownUrl(string method, string path) =>
        new($"Invalid URL ({method} {path}).", OpenAiErrorType.InvalidRequest, null, "unknown_url");

    public static OpenAiError MethodNotAllowed(string method, string path) =>
        new($"Method {method} is not allowed for {path}.", OpenAiErrorType.InvalidRequest, null, "method_not_allowed");

    public static OpenAiException MissingApiKey() =>
        new(StatusCodes.Status401Unauthorized, new OpenAiError(
            "You didn't provide an API key. Send it in an Authorization header using Bearer auth (Authorization: Bearer YOUR_KEY).",
            OpenAiErrorType.InvalidRequest,
            null,
            "missing_api_key"));

    public static OpenAiException InvalidApiKey() =>
        new(StatusCodes.Status401Unauthorized, new OpenAiError(
            "Incorrect API key provided.",
            OpenAiErrorType.InvalidRequest,
            null,
            "invalid_api_key"));

    public static OpenAiException BodyTooLarge(long limitBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, new OpenAiError(
            string.Create(CultureInfo.InvariantCulture, $"The request body is larger than this server's limit of {limitBytes} bytes (Epd:Gateway:Limits:MaxRequestBodyBytes)."),
            OpenAiErrorType.InvalidRequest,
            null,
            "request_too_large"));

    public static OpenAiException QueueFull(int running, int queued, int retryAfterSeconds) =>
        new(
            StatusCodes.Status429TooManyRequests,
            new OpenAiError(
                string.Create(CultureInfo.InvariantCulture, $"The server is busy: {running} requests are running and {queued} are queued, the most it takes. Retry after {retryAfterSeconds} s."),
                OpenAiErrorType.RateLimit,
                null,
                "queue_full"),
            retryAfterSeconds);

    public static OpenAiException Unavailable(string message, string code) =>
        new(StatusCodes.Status503ServiceUnavailable, new OpenAiError(message, OpenAiErrorType.Server, null, code));

    public static OpenAiError Internal() => new(InternalMessage, OpenAiErrorType.Server, null, "internal_error");
}
