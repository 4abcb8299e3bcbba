using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Simulation.Simulation;

/// <summary>The outcomes of one simulated run and their SLO figures.</summary>
public sealed class SimulationResult(IReadOnlyList<RequestOutcome> outcomes, Slo slo)
{
    private const double Percentile = 0.9;

    public IReadOnlyList<RequestOutcome> Outcomes { get; } = outcomes;

    /// <summary>Share of requests that finished within both SLOs (TPOT only where there is one).</summary>
    public double Attainment => Share(Outcomes, Meets);

    public double TtftAttainment => Share(Outcomes, o => o.Finished && o.TtftSeconds <= slo.TtftSeconds);

    public double TpotAttainment => Share(Outcomes.Where(o => !double.IsNaN(o.TpotSeconds) || !o.Finished).ToList(), o => o.Finished && o.TpotSeconds <= slo.TpotSeconds);

    public double TtftP90 => P90(Outcomes.Select(o => o.Finished ? o.TtftSeconds : double.PositiveInfinity));

    public double TpotP90 => P90(Outcomes.Where(o => !double.IsNaN(o.TpotSeconds)).Select(o => o.TpotSeconds));

    public bool Meets(RequestOutcome o) => o.Finished && o.TtftSeconds <= slo.TtftSeconds && (double.IsNaN(o.TpotSeconds) || o.TpotSeconds <= slo.TpotSeconds);

    /// <summary>The same figures over the requests that arrived in [<paramref name="fromSeconds"/>, <paramref name="toSeconds"/>).</summary>
    public SimulationResult Between(double fromSeconds, double toSeconds) =>
        new([.. Outcomes.Where(o => o.ArrivalSeconds >= fromSeconds && o.ArrivalSeconds < toSeconds)], slo);

    private static double Share(IReadOnlyCollection<RequestOutcome> outcomes, Func<RequestOutcome, bool> meets) =>
        outcomes.Count == 0 ? 1 : (double)outcomes.Count(meets) / outcomes.Count;

    private static double P90(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(Percentile * sorted.Count) - 1)];
    }
}
