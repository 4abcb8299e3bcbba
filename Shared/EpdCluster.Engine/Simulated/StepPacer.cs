using System.Diagnostics;

namespace EpdCluster.Engine.Simulated;

/// <summary>Holds the simulated inference thread for a step's profiled time (scaled), as a forward pass would.</summary>
internal sealed class StepPacer(double timeScale)
{
    public double TimeScale { get; } = timeScale;

    /// <summary>Seconds of <paramref name="profileSeconds"/> on this engine's clock.</summary>
    public TimeSpan Scaled(double profileSeconds) => TimeSpan.FromSeconds(Math.Max(0, profileSeconds * TimeScale));

    /// <summary>Sleeps until <paramref name="profileSeconds"/> (scaled) have passed since <paramref name="startedTimestamp"/>.</summary>
    public void WaitUntil(long startedTimestamp, double profileSeconds)
    {
        var remaining = Scaled(profileSeconds) - Stopwatch.GetElapsedTime(startedTimestamp);
        if (remaining > TimeSpan.Zero)
        {
            Thread.Sleep(remaining);
        }
    }
}
