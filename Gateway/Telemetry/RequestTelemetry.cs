using System.Diagnostics;

namespace EpdCluster.Gateway.Telemetry;

/// <summary>
/// One completion request's timeline, from its arrival: admission wait, each generated token, completion. Turns it
/// into <see cref="GatewayMetrics"/> measurements as it goes. Tokens arrive on one stream, one at a time.
/// </summary>
internal sealed class RequestTelemetry(GatewayMetrics metrics, string requestId, long arrivalTimestamp)
{
    private long _firstTokenTimestamp;
    private long _lastTokenTimestamp;
    private int _tokens;
    private int _completed;

    /// <summary>The request's <c>x-request-id</c>.</summary>
    public string RequestId { get; } = requestId;

    /// <summary>True once the whole answer (its finish reason) was produced.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) == 1;

    public void Admitted(TimeSpan waited) => metrics.RecordQueueTime(waited);

    /// <summary>A generated token reached the gateway: the first one sets TTFT, every later one an inter-token gap.</summary>
    public void TokenArrived()
    {
        var now = Stopwatch.GetTimestamp();
        if (_tokens++ == 0)
        {
            _firstTokenTimestamp = now;
            metrics.RecordTimeToFirstToken(Stopwatch.GetElapsedTime(arrivalTimestamp, now));
        }
        else
        {
            metrics.RecordInterTokenLatency(Stopwatch.GetElapsedTime(_lastTokenTimestamp, now));
        }

        _lastTokenTimestamp = now;
    }

    /// <summary>The last delta was produced: records end-to-end latency, TPOT, token counts and SLO attainment, once.</summary>
    public void Completed(RequestTokens tokens)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 1)
        {
            return;
        }

        var end = _tokens > 0 ? _lastTokenTimestamp : Stopwatch.GetTimestamp();
        TimeSpan? tpot = _tokens > 1 ? Stopwatch.GetElapsedTime(_firstTokenTimestamp, _lastTokenTimestamp) / (_tokens - 1) : null;
        var ttft = _tokens > 0 ? Stopwatch.GetElapsedTime(arrivalTimestamp, _firstTokenTimestamp) : TimeSpan.MaxValue;
        var withinSlo = ttft.TotalSeconds <= metrics.Slo.TimeToFirstTokenSeconds
            && (tpot is null || tpot.Value.TotalSeconds <= metrics.Slo.TimePerOutputTokenSeconds);
        metrics.RecordCompleted(tokens, Stopwatch.GetElapsedTime(arrivalTimestamp, end), tpot, withinSlo);
    }
}
