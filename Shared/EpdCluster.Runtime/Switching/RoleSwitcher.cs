using System.Diagnostics;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Hosting;
using EpdCluster.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Switching;

/// <summary>
/// Switches this worker's roles in place: drain (the directory hears at once, so routing stops sending work), let
/// encode and prefill work in flight finish, move decoding requests to other decode workers, then take the new roles
/// and re-register. The weights stay: every worker holds the whole model and one engine for all roles.
/// </summary>
internal sealed partial class RoleSwitcher(
    WorkerIdentity identity,
    WorkerHeartbeat heartbeat,
    WorkerEngineHost host,
    StageActivity activity,
    DecodeSessions sessions,
    AdoptedStreams adopted,
    DecodeMigrator migrator,
    RoleSwitchOptions options,
    ILogger<RoleSwitcher> logger)
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<RoleSwitchReport> SwitchAsync(IReadOnlyList<WorkerRole> roles)
    {
        var startedUtc = DateTime.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var from = identity.Roles;
        RoleSwitchReport Report(bool succeeded, string? error, TimeSpan drain, int migrated, TimeSpan pause) =>
            new(identity.WorkerId, from, roles, succeeded, error, startedUtc, drain.TotalSeconds, Stopwatch.GetElapsedTime(started).TotalSeconds, migrated, pause.TotalSeconds);

        if (roles.Count == 0)
        {
            return Report(false, "a worker needs at least one role", TimeSpan.Zero, 0, TimeSpan.Zero);
        }

        if (!await _oneAtATime.WaitAsync(TimeSpan.Zero))
        {
            return Report(false, "another role switch of this worker is in progress", TimeSpan.Zero, 0, TimeSpan.Zero);
        }

        var migrated = 0;
        var longestPause = TimeSpan.Zero;
        try
        {
            if (from.SequenceEqual(roles))
            {
                return Report(true, null, TimeSpan.Zero, 0, TimeSpan.Zero);
            }

            LogDraining(logger, identity.WorkerId, WorkerRoles.Format(from), WorkerRoles.Format(roles));
            identity.BeginDrain();
            await heartbeat.ReportNowAsync();

            var leaving = from.Except(roles).ToList();
            using var deadline = new CancellationTokenSource(options.DrainTimeout);
            while (true)
            {
                if (leaving.Contains(WorkerRole.Decode))
                {
                    var (moved, pause) = await migrator.MoveAllAsync(deadline.Token);
                    migrated += moved;
                    longestPause = pause > longestPause ? pause : longestPause;
                }

                if (RemainingWork(leaving) is not { } remaining)
                {
                    break;
                }

                if (deadline.IsCancellationRequested)
                {
                    throw new TimeoutException($"the drain did not finish within {options.DrainTimeout.TotalSeconds:0} s ({remaining} remained)");
                }

                await Task.Delay(options.DrainPollInterval, CancellationToken.None);
            }

            var drained = Stopwatch.GetElapsedTime(started);
            identity.SwitchTo(roles);
            await heartbeat.ReportNowAsync();
            var report = Report(true, null, drained, migrated, longestPause);
            LogSwitched(logger, identity.WorkerId, WorkerRoles.Format(from), WorkerRoles.Format(roles), report.DrainSeconds * 1000, report.TotalSeconds * 1000, migrated, longestPause.TotalMilliseconds);
            return report;
        }
        catch (Exception e)
        {
            identity.CancelDrain();
            LogSwitchFailed(logger, identity.WorkerId, WorkerRoles.Format(from), WorkerRoles.Format(roles), e.Message);
            try
            {
                await heartbeat.ReportNowAsync();
            }
            catch (Exception report)
            {
                // The next heartbeat tells the directory.
                LogSwitchFailed(logger, identity.WorkerId, WorkerRoles.Format(from), WorkerRoles.Format(roles), report.Message);
            }

            return Report(false, e.Message, Stopwatch.GetElapsedTime(started), migrated, longestPause);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>What still holds this worker in the roles it leaves, or null when nothing does.</summary>
    private string? RemainingWork(IReadOnlyList<WorkerRole> leaving)
    {
        var stats = host.IsLoaded ? host.Engine.Llm.Stats : null;
        var remaining = new List<string>();
        if (leaving.Contains(WorkerRole.Encode) && activity.InFlight(WorkerRole.Encode) > 0)
        {
            remaining.Add($"{activity.InFlight(WorkerRole.Encode)} encode calls");
        }

        if (leaving.Contains(WorkerRole.Prefill) && (activity.InFlight(WorkerRole.Prefill) > 0 || stats?.ParkedRequests > 0))
        {
            remaining.Add($"{activity.InFlight(WorkerRole.Prefill)} prefill calls, {stats?.ParkedRequests ?? 0} KV hand-offs");
        }

        if (leaving.Contains(WorkerRole.Decode) && (sessions.Count > 0 || adopted.Count > 0 || stats?.ReservedRequests > 0 || stats?.SuspendedRequests > 0))
        {
            remaining.Add($"{sessions.Count} decoding, {adopted.Count} moved here and not resumed, {stats?.ReservedRequests ?? 0} awaiting KV");
        }

        return remaining.Count == 0 ? null : string.Join("; ", remaining);
    }
}
