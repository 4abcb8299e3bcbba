using EpdCluster.Abstractions;

namespace EpdCluster.Runtime.Hosting;

/// <summary>
/// This process's worker id, the roles it started with (also in silo metadata), and the roles it serves now: a role
/// switch changes <see cref="Roles"/> in place, and <see cref="Draining"/> is set while it hands its work on.
/// </summary>
public sealed class WorkerIdentity(string workerId, IReadOnlyList<WorkerRole> startingRoles)
{
    private volatile IReadOnlyList<WorkerRole> _roles = startingRoles;
    private volatile bool _draining;

    public string WorkerId { get; } = workerId;

    /// <summary>The roles at start-up (silo metadata keeps these).</summary>
    public IReadOnlyList<WorkerRole> StartingRoles { get; } = startingRoles;

    /// <summary>The roles this worker holds now.</summary>
    public IReadOnlyList<WorkerRole> Roles => _roles;

    /// <summary>True while a role switch drains this worker: routing sends it no new work.</summary>
    public bool Draining => _draining;

    /// <summary>True when new work for <paramref name="role"/> may come here: the worker holds it and is not draining.</summary>
    public bool Accepts(WorkerRole role) => !_draining && _roles.Contains(role);

    internal void BeginDrain() => _draining = true;

    /// <summary>Takes the new roles and ends the drain.</summary>
    internal void SwitchTo(IReadOnlyList<WorkerRole> roles)
    {
        _roles = roles;
        _draining = false;
    }

    /// <summary>Ends a drain that did not switch (it failed or timed out): the worker keeps its roles.</summary>
    internal void CancelDrain() => _draining = false;
}
