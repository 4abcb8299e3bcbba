using System.Diagnostics;

namespace EpdCluster.LoadTests.Running;

/// <summary>Live counters of a running step, written by request tasks and read by the progress display.</summary>
internal sealed class StepProgress(string name)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _sent;
    private int _completed;
    private int _failed;
    private int _inFlight;
    private long _outputTokens;

    public string Name { get; } = name;

    /// <summary>Requests the step will send at most (its arrivals or its request limit); set when its schedule is known.</summary>
    public int ExpectedRequests { get; set; }

    public int Sent => Volatile.Read(ref _sent);

    public int Completed => Volatile.Read(ref _completed);

    public int Failed => Volatile.Read(ref _failed);

    public int InFlight => Volatile.Read(ref _inFlight);

    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>Returns the number in flight after this one started.</summary>
    public int OnSent()
    {
        Interlocked.Increment(ref _sent);
        return Interlocked.Increment(ref _inFlight);
    }

    public void OnFinished(bool success, int outputTokens)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Add(ref _outputTokens, outputTokens);
        Interlocked.Increment(ref success ? ref _completed : ref _failed);
    }

    public string Line() => FormattableString.Invariant(
        $"[{Name}] {Elapsed.TotalSeconds:0.0}s  done {Completed + Failed}/{ExpectedRequests}  failed {Failed}  in flight {InFlight}  output tokens {OutputTokens}");
}
