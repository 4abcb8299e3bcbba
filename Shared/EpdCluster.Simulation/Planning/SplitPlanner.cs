using EpdCluster.Simulation.Profiles;
using EpdCluster.Simulation.Simulation;
using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Simulation.Planning;

/// <summary>
/// For a profile, a workload, SLOs and a number of workers: simulates every E/P/D split (and the aggregated layout)
/// and ranks them by goodput, the best first (ties: the lower p90 TTFT).
/// </summary>
public static class SplitPlanner
{
    public static IReadOnlyList<PlanRow> Rank(EngineProfile profile, WorkloadSpec workload, Slo slo, int workers, PlanOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 3);
        slo.Validate();
        var layouts = ClusterLayout.AllSplits(workers).ToList();
        if (options.IncludeAggregated)
        {
            layouts.Add(ClusterLayout.AllAggregated(workers));
        }

        return [.. layouts.AsParallel().Select(layout => Evaluate(profile, workload, slo, layout, options))
            .OrderByDescending(r => r.GoodputRps)
            .ThenBy(r => r.TtftP90Seconds)];
    }

    public static PlanRow Evaluate(EngineProfile profile, WorkloadSpec workload, Slo slo, ClusterLayout layout, PlanOptions options)
    {
        SimulationResult RunAt(double rate, bool stopEarly)
        {
            var requests = workload.Generate(options.RequestsAt(rate), rate, options.Seed);
            var simulator = new ClusterSimulator(profile, layout, requests);
            if (stopEarly)
            {
                simulator.StopAfterMisses(slo, (int)Math.Floor((1 - options.Target) * requests.Count));
            }

            simulator.RunUntil(double.PositiveInfinity);
            return new SimulationResult(simulator.Outcomes, slo);
        }

        var goodput = GoodputSearch.Find(rate => RunAt(rate, stopEarly: true).Attainment, options.Target, options.StartRate, options.MaxRate);
        var atGoodput = RunAt(goodput > 0 ? goodput : options.StartRate, stopEarly: false);
        return new PlanRow(layout, goodput, atGoodput.TtftP90, atGoodput.TpotP90, atGoodput.Attainment);
    }
}
