namespace EpdCluster.Abstractions.Workers;

/// <summary>How one role switch went.</summary>
/// <param name="DrainSeconds">From the start of the drain until no work of the roles it left remained.</param>
/// <param name="TotalSeconds">From the start of the drain until the worker re-registered with its new roles.</param>
/// <param name="MigratedRequests">Decoding requests moved to other decode workers.</param>
/// <param name="LongestPauseSeconds">The longest time a moved request generated no token (suspend to continue elsewhere).</param>
[GenerateSerializer, Immutable, Alias("epd.RoleSwitchReport")]
public sealed record RoleSwitchReport(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] IReadOnlyList<WorkerRole> From,
    [property: Id(2)] IReadOnlyList<WorkerRole> To,
    [property: Id(3)] bool Succeeded,
    [property: Id(4)] string? Error,
    [property: Id(5)] DateTime StartedUtc,
    [property: Id(6)] double DrainSeconds,
    [property: Id(7)] double TotalSeconds,
    [property: Id(8)] int MigratedRequests,
    [property: Id(9)] double LongestPauseSeconds);
