using System.Globalization;
using System.Text;
using EpdCluster.Runtime.Scheduling;
using EpdCluster.Simulation.Planning;
using EpdCluster.Simulation.Profiles;
using EpdCluster.Simulation.Simulation;
using EpdCluster.Simulation.Workloads;

namespace EpdCluster.Planner;

/// <summary>
/// The issue's experiment in simulation: traffic that shifts from one workload to another at a fixed rate, served by
/// (a) the best static split for the first workload, (b) that split with role switching, (c) aggregated workers.
/// </summary>
internal sealed class ShiftExperiment(EngineProfile profile, WorkloadSpec before, WorkloadSpec after, Slo slo, ShiftArguments arguments)
{
    /// <summary>Buckets of the attainment time line: the scheduler's window.</summary>
    private const double BucketSeconds = 30;

    private readonly SchedulerOptions _scheduler = new()
    {
        TtftSloSeconds = slo.TtftSeconds,
        TpotSloSeconds = slo.TpotSeconds,
    };

    private double Phase => arguments.PhaseSeconds;

    /// <summary>Phase 2 after the scheduler has had two cooldowns to react (the issue's recovery goal).</summary>
    private double SettledFrom => Phase + (2 * _scheduler.Cooldown.TotalSeconds);

    public string Run()
    {
        var options = new PlanOptions { Seed = arguments.Seed, IncludeAggregated = false };
        var staticRow = SplitPlanner.Rank(profile, before, slo, arguments.Workers, options)[0];
        var afterRow = SplitPlanner.Rank(profile, after, slo, arguments.Workers, options)[0];
        var rate = arguments.Rate ?? 0.8 * staticRow.GoodputRps;
        var requests = Requests(rate);
        var run = new ScheduledRun(profile, _scheduler);
        var aggregated = ClusterLayout.AllAggregated(arguments.Workers);

        var (a, _) = run.Run(staticRow.Layout, requests, slo, switching: false);
        var (b, switches) = run.Run(staticRow.Layout, requests, slo, switching: true);
        var (c, _) = run.Run(aggregated, requests, slo, switching: false);

        var text = new StringBuilder();
        text.AppendLine(Invariant($"Shift experiment: {arguments.Workers} workers, {rate:0.###} req/s, {Phase:0} s of {arguments.Before} then {Phase:0} s of {arguments.After}"));
        text.AppendLine(Invariant($"profile {profile.Name}; SLOs TTFT {slo.TtftSeconds * 1000:0} ms, TPOT {slo.TpotSeconds * 1000:0} ms; scheduler window {_scheduler.Window.TotalSeconds:0} s, cooldown {_scheduler.Cooldown.TotalSeconds:0} s"));
        text.AppendLine(Invariant($"best static split for phase 1: {staticRow.Layout} ({staticRow.GoodputRps:0.###} req/s); for phase 2: {afterRow.Layout} ({afterRow.GoodputRps:0.###} req/s)"));
        text.AppendLine();
        text.AppendLine("| configuration | phase 1 attainment | phase 2 attainment | phase 2 after 2 cooldowns | phase 1 TTFT p90 (s) | phase 2 TTFT p90 (s) | phase 2 after 2 cooldowns TTFT p90 (s) | phase 2 TPOT p90 (ms) | goodput phase 1 / 2 (req/s) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Row(text, $"(a) static {staticRow.Layout}", a, Goodput(staticRow.Layout, before), Goodput(staticRow.Layout, after));
        Row(text, $"(b) {staticRow.Layout} + role switching", b, SwitchingGoodput(staticRow.Layout, phase: 1), SwitchingGoodput(staticRow.Layout, phase: 2));
        Row(text, $"(c) {aggregated}", c, Goodput(aggregated, before), Goodput(aggregated, after));
        text.AppendLine();
        text.AppendLine(Invariant($"(b) recovered >= 90% attainment (every later {BucketSeconds:0} s bucket) {Recovery(b)}."));
        text.AppendLine(Invariant($"(b) phase 2 (after 2 cooldowns) vs (a): {(b.Between(SettledFrom, 2 * Phase).Attainment - a.Between(SettledFrom, 2 * Phase).Attainment) * 100:+0;-0;0} points of attainment."));
        text.AppendLine(Invariant($"Phase 2 after 2 cooldowns, TTFT p90: (b) {b.Between(SettledFrom, 2 * Phase).TtftP90:0.###} s vs (c) aggregated {c.Between(SettledFrom, 2 * Phase).TtftP90:0.###} s ({(1 - (b.Between(SettledFrom, 2 * Phase).TtftP90 / c.Between(SettledFrom, 2 * Phase).TtftP90)) * 100:0}% lower with EPD)."));
        text.AppendLine();
        text.AppendLine("Role switches of (b):");
        text.AppendLine();
        foreach (var s in switches)
        {
            text.AppendLine(Invariant($"- {s.DecidedSeconds:0} s -> {s.DoneSeconds:0.0} s: {s.WorkerId} {s.From.ToString().ToLowerInvariant()} -> {s.To.ToString().ToLowerInvariant()}: {s.Reason}"));
        }

        text.AppendLine();
        text.AppendLine(Invariant($"Attainment per {BucketSeconds:0} s of arrivals (a / b / c):"));
        text.AppendLine();
        for (var start = 0.0; start < 2 * Phase; start += BucketSeconds)
        {
            text.AppendLine(Invariant($"- {start:0}-{start + BucketSeconds:0} s{(start == Phase ? " (shift)" : string.Empty)}: {Percent(a.Between(start, start + BucketSeconds))} / {Percent(b.Between(start, start + BucketSeconds))} / {Percent(c.Between(start, start + BucketSeconds))}"));
        }

        return text.ToString();
    }

    private IReadOnlyList<SimRequest> Requests(double rate)
    {
        var first = before.GenerateBetween(0, Phase, rate, arguments.Seed, 0);
        return [.. first, .. after.GenerateBetween(Phase, 2 * Phase, rate, arguments.Seed + 1, first.Count)];
    }

    private double Goodput(ClusterLayout layout, WorkloadSpec workload) =>
        SplitPlanner.Evaluate(profile, workload, slo, layout, new PlanOptions { Seed = arguments.Seed }).GoodputRps;

    /// <summary>
    /// Goodput of the switching configuration in one phase: the highest rate (the same in both phases) at which the
    /// phase's requests — in phase 2 those after two cooldowns — meet the SLOs 90% of the time.
    /// </summary>
    private double SwitchingGoodput(ClusterLayout layout, int phase)
    {
        var run = new ScheduledRun(profile, _scheduler);
        var (from, to) = phase == 1 ? (0, Phase) : (SettledFrom, 2 * Phase);
        return GoodputSearch.Find(rate => run.Run(layout, Requests(rate), slo, switching: true).Result.Between(from, to).Attainment, new PlanOptions().Target, 0.05, 10_000);
    }

    private string Recovery(SimulationResult result)
    {
        for (var start = Phase; start < 2 * Phase; start += BucketSeconds)
        {
            var stays = true;
            for (var later = start; later < 2 * Phase; later += BucketSeconds)
            {
                stays &= result.Between(later, later + BucketSeconds).Attainment >= new PlanOptions().Target;
            }

            if (stays)
            {
                return Invariant($"{start - Phase:0} s after the shift ({(start - Phase) / _scheduler.Cooldown.TotalSeconds:0.#} cooldowns)");
            }
        }

        return "never";
    }

    private void Row(StringBuilder text, string name, SimulationResult result, double goodput1, double goodput2)
    {
        var first = result.Between(0, Phase);
        var second = result.Between(Phase, 2 * Phase);
        var settled = result.Between(SettledFrom, 2 * Phase);
        text.AppendLine(Invariant($"| {name} | {Percent(first)} | {Percent(second)} | {Percent(settled)} | {first.TtftP90:0.###} | {second.TtftP90:0.###} | {settled.TtftP90:0.###} | {second.TpotP90 * 1000:0.#} | {goodput1:0.###} / {goodput2:0.###} |"));
    }

    private static string Percent(SimulationResult result) => Invariant($"{result.Attainment * 100:0}%");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
