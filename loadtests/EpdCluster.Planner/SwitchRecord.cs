using EpdCluster.Abstractions;

namespace EpdCluster.Planner;

/// <summary>A role switch in a simulated run: when it was decided and done, which worker, and why.</summary>
internal sealed record SwitchRecord(double DecidedSeconds, double DoneSeconds, string WorkerId, WorkerRole From, WorkerRole To, string Reason);
