namespace EpdCluster.Runtime.Switching;

/// <summary>How a worker drains for a role switch. Section <c>Epd:Switch</c>.</summary>
public sealed class RoleSwitchOptions
{
    public const string SectionName = "Epd:Switch";

    /// <summary>
    /// Longest drain before a switch gives up and the worker keeps its roles: two KV leases (30 s each), since a
    /// reservation made just before the drain either gets its KV or expires within one lease, and moves take little.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a drain checks for remaining work and moves decoding requests that started since (a few decode steps).</summary>
    public TimeSpan DrainPollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a request moved here waits for the gateway to resume its stream before it is aborted (one KV lease).</summary>
    public TimeSpan ResumeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        Require(DrainTimeout > TimeSpan.Zero, nameof(DrainTimeout), "positive");
        Require(DrainPollInterval > TimeSpan.Zero && DrainPollInterval < DrainTimeout, nameof(DrainPollInterval), "positive and shorter than DrainTimeout");
        Require(ResumeTimeout > TimeSpan.Zero, nameof(ResumeTimeout), "positive");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be {rule}.");
        }
    }
}
