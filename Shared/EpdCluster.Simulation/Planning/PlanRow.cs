using EpdCluster.Simulation.Simulation;

namespace EpdCluster.Simulation.Planning;

/// <summary>One layout's goodput and its latencies at that rate.</summary>
public sealed record PlanRow(ClusterLayout Layout, double GoodputRps, double TtftP90Seconds, double TpotP90Seconds, double Attainment);
