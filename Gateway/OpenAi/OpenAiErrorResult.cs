using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>Writes an OpenAI error body with its status, plus <c>Retry-After</c> (429) or <c>WWW-Authenticate</c> (401).</summary>
internal sealed class OpenAiErrorResult(int statusCode, OpenAiError error, int? retryAfterSeconds = null)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<OpenAiErrorResponse>
{
    public int StatusCode { get; } = statusCode;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public OpenAiErrorResponse Value { get; } = new(error);

    object? IValueHttpResult.Value => Value;

    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        if (StatusCode == StatusCodes.Status401Unauthorized)
        {
            response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        }

        return response.WriteAsJsonAsync(Value, OpenAiJson.Options, httpContext.RequestAborted);
    }
}
