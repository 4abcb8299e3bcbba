namespace EpdCluster.Transfer.Tests;

/// <summary>A clock the test moves by hand, for TTL behaviour without sleeping.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = 1;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
