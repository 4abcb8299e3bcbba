using EpdCluster.Abstractions.Workers;

namespace EpdCluster.Abstractions.Scheduling;

/// <summary>A requested switch: refused before it started (with why), or the worker's report.</summary>
[GenerateSerializer, Immutable, Alias("epd.RoleSwitchOutcome")]
public sealed record RoleSwitchOutcome(
    [property: Id(0)] RoleSwitchRefusal Refusal,
    [property: Id(1)] string? Message,
    [property: Id(2)] RoleSwitchReport? Report);
