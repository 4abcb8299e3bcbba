namespace EpdCluster.Abstractions.Scheduling;

/// <summary>Why the scheduler would not start a requested switch.</summary>
[GenerateSerializer, Alias("epd.RoleSwitchRefusal")]
public enum RoleSwitchRefusal
{
    None = 0,
    UnknownWorker = 1,

    /// <summary>Another switch runs (one at a time per cluster), or the worker is draining.</summary>
    SwitchInProgress = 2,

    /// <summary>The switch would leave a role with fewer workers than the minimum.</summary>
    RoleMinimum = 3,
}
