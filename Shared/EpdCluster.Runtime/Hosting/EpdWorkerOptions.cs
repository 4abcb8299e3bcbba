using EpdCluster.Abstractions;

namespace EpdCluster.Runtime.Hosting;

/// <summary>Who this worker is. Section <c>Epd:Worker</c>.</summary>
public sealed class EpdWorkerOptions
{
    public const string SectionName = "Epd:Worker";

    /// <summary>Stable worker id; defaults to the roles and the silo port, unique on one machine.</summary>
    public string? Id { get; set; }

    /// <summary>Comma-separated starting roles overriding the host's default, e.g. <c>encode</c> or <c>encode,prefill,decode</c>.</summary>
    public string? Roles { get; set; }

    /// <summary>How often the worker reports its load to the directory (routing sees loads at most this old).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal IReadOnlyList<WorkerRole> ResolveRoles(IReadOnlyList<WorkerRole> hostDefault)
    {
        if (string.IsNullOrWhiteSpace(Roles))
        {
            return hostDefault;
        }

        try
        {
            var roles = WorkerRoles.ParseList(Roles);
            return roles.Count > 0 ? roles : throw new FormatException("no role given.");
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{SectionName}:Roles '{Roles}' is invalid: {e.Message}", e);
        }
    }

    internal string ResolveId(IReadOnlyList<WorkerRole> roles, int siloPort) =>
        string.IsNullOrWhiteSpace(Id) ? $"{string.Join('-', roles.Select(r => r.ToWireName()))}-{siloPort}" : Id;
}
