namespace EpdCluster.Gateway.Telemetry;

/// <summary>The <c>status</c> label of <c>epd_requests_total</c>: how a completion request ended.</summary>
internal static class RequestStatus
{
    /// <summary>The whole answer was delivered (finish reason sent).</summary>
    public const string Success = "success";

    /// <summary>Refused as invalid (400, 401, 404, 413, ...).</summary>
    public const string Invalid = "invalid";

    /// <summary>Refused because running and queued requests were at their limits (429).</summary>
    public const string Rejected = "rejected";

    /// <summary>No backend could take it, or the backend aborted it (503).</summary>
    public const string Unavailable = "unavailable";

    /// <summary>The client left before the answer was complete.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>A server failure (500, or a failure after streaming began).</summary>
    public const string Error = "error";

    /// <summary>Every status, so each series exists (at 0) from start-up.</summary>
    public static IReadOnlyList<string> All { get; } = [Success, Invalid, Rejected, Unavailable, Cancelled, Error];

    public static string Classify(int statusCode, bool completed, bool clientLeft) => (statusCode, completed, clientLeft) switch
    {
        (_, true, _) => Success,
        (_, _, true) => Cancelled,
        (StatusCodes.Status429TooManyRequests, _, _) => Rejected,
        (StatusCodes.Status503ServiceUnavailable, _, _) => Unavailable,
        ( >= 400 and < 500, _, _) => Invalid,
        _ => Error,
    };
}
