using System.Diagnostics.Metrics;
using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Abstractions.Workers;

namespace EpdCluster.Runtime.Scheduling;

/// <summary>
/// The scheduler's instruments on meter <see cref="MeterName"/>: decisions by code and trigger, role switches by
/// outcome with their durations, and decoding requests moved by switches.
/// </summary>
internal sealed class SchedulerMetrics
{
    public const string MeterName = "EpdCluster.Scheduler";

    private readonly Counter<long> _decisions;
    private readonly Counter<long> _switches;
    private readonly Histogram<double> _switchSeconds;
    private readonly Counter<long> _movedRequests;

    public SchedulerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _decisions = meter.CreateCounter<long>("epd_scheduler_decisions", description: "Scheduler decisions, by code (move or why it held) and trigger.");
        _switches = meter.CreateCounter<long>("epd_role_switches", description: "Role switches, by outcome.");
        _switchSeconds = meter.CreateHistogram<double>("epd_role_switch_duration", unit: "s", description: "Drain start to re-registration of a role switch.");
        _movedRequests = meter.CreateCounter<long>("epd_decode_migrations", description: "Decoding requests moved to another decode worker by role switches.");
    }

    public void Decision(ScheduleDecision decision) =>
        _decisions.Add(1, new KeyValuePair<string, object?>("code", decision.Code), new KeyValuePair<string, object?>("trigger", decision.Trigger));

    public void Switch(RoleSwitchReport report)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", report.Succeeded ? "succeeded" : "failed");
        _switches.Add(1, outcome);
        _switchSeconds.Record(report.TotalSeconds, outcome);
        _movedRequests.Add(report.MigratedRequests);
    }
}
