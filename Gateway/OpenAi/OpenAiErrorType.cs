namespace EpdCluster.Gateway.OpenAi;

/// <summary>The <c>type</c> values of error objects (OpenAI's names where OpenAI has one).</summary>
internal static class OpenAiErrorType
{
    /// <summary>The request is wrong: 400, 401, 404, 405, 413 (OpenAI uses this type for all of them).</summary>
    public const string InvalidRequest = "invalid_request_error";

    /// <summary>The gateway's queue is full: 429.</summary>
    public const string RateLimit = "rate_limit_exceeded";

    /// <summary>The server cannot serve now (503) or failed (500).</summary>
    public const string Server = "server_error";
}
