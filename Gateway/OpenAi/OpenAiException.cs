namespace EpdCluster.Gateway.OpenAi;

/// <summary>
/// A request that ends in an OpenAI-style error: thrown anywhere in the request path, turned into an
/// <see cref="OpenAiErrorResult"/> (or an SSE error event once streaming has begun).
/// </summary>
internal sealed class OpenAiException(int statusCode, OpenAiError error, int? retryAfterSeconds = null) : Exception(error.Message)
{
    public int StatusCode { get; } = statusCode;

    public OpenAiError Error { get; } = error;

    /// <summary>Seconds for the <c>Retry-After</c> header (429), or null.</summary>
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    public OpenAiErrorResult ToResult() => new(StatusCode, Error, RetryAfterSeconds);
}
