using Orleans.Concurrency;

namespace EpdCluster.Abstractions.Scheduling;

/// <summary>
/// The cluster's scheduler (key 0): SLO attainment over a sliding window from the gateways' reports, and every
/// evaluation interval a decision — move one worker from a stage with slack to a stage that misses its SLO, or hold.
/// </summary>
[Alias("epd.ISchedulerGrain")]
public interface ISchedulerGrain : IGrainWithIntegerKey
{
    /// <summary>Latencies of requests a gateway finished since its last report.</summary>
    [Alias("ReportRequests")]
    [OneWay]
    Task ReportRequests(RequestSample[] samples);

    [Alias("GetStatus")]
    Task<SchedulerStatus> GetStatus();

    /// <summary>A manual switch: checked against the role minimum, then run like an automatic one (it starts the cooldown).</summary>
    [Alias("SwitchRoles")]
    [ResponseTimeout("00:03:00")]
    Task<RoleSwitchOutcome> SwitchRoles(string workerId, IReadOnlyList<WorkerRole> roles);

    /// <summary>Turns automatic moves on or off; decisions are still made, logged and counted.</summary>
    [Alias("SetAutomatic")]
    Task SetAutomatic(bool enabled);
}
