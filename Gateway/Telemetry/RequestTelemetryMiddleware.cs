using System.Diagnostics;
using System.Security.Cryptography;
using EpdCluster.Runtime.Telemetry;

namespace EpdCluster.Gateway.Telemetry;

/// <summary>
/// Gives every HTTP request an id — the caller's <c>x-request-id</c> when it is a plain token, else a new
/// <c>req_…</c> — returned in the <c>x-request-id</c> header, put in a log scope and on the request's trace span.
/// For completion requests it also starts their <see cref="RequestTelemetry"/> and counts how they ended.
/// </summary>
internal sealed class RequestTelemetryMiddleware(RequestDelegate next, GatewayMetrics metrics, ILogger<RequestTelemetryMiddleware> logger)
{
    public const string HeaderName = "x-request-id";

    /// <summary>Longest caller-supplied id kept (longer ones are replaced): enough for a UUID or a proxy's id.</summary>
    private const int MaxCallerIdLength = 64;

    /// <summary>96 random bits, as the completion ids.</summary>
    private const int IdRandomBytes = 12;

    private static readonly PathString[] CompletionPaths = ["/v1/chat/completions", "/v1/completions"];

    public async Task InvokeAsync(HttpContext http)
    {
        var arrival = Stopwatch.GetTimestamp();
        var requestId = ReadCallerId(http.Request) ?? "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdRandomBytes));
        http.Response.Headers[HeaderName] = requestId;
        Activity.Current?.SetTag(EpdTelemetry.RequestIdTag, requestId);
        using var scope = BeginRequestScope(logger, requestId);
        if (!HttpMethods.IsPost(http.Request.Method) || !CompletionPaths.Contains(http.Request.Path))
        {
            await next(http);
            return;
        }

        var telemetry = new RequestTelemetry(metrics, requestId, arrival);
        http.Features.Set(telemetry);
        try
        {
            await next(http);
        }
        finally
        {
            var status = RequestStatus.Classify(http.Response.StatusCode, telemetry.IsCompleted, http.RequestAborted.IsCancellationRequested);
            metrics.RecordOutcome(status);
            Activity.Current?.SetTag("epd.request_status", status);
        }
    }

    private static string? ReadCallerId(HttpRequest request)
    {
        var value = request.Headers[HeaderName].ToString();
        return value.Length is > 0 and <= MaxCallerIdLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':') ? value : null;
    }

    private static IDisposable? BeginRequestScope(ILogger logger, string requestId) => logger.BeginScope("x-request-id {XRequestId}", requestId);
}
