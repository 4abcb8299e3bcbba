using EpdCluster.LoadTests.Metrics;

namespace EpdCluster.LoadTests.Sweeps;

/// <summary>
/// Finds the highest request rate with SLO attainment ≥ the target by bisection, as the EPD paper defines goodput.
/// Probes the lowest rate (if it fails there is no goodput), then the highest (if it passes, the limit is above the range),
/// then halves the bracket [passing, failing] until the probes run out or the bracket is within the tolerance.
/// Assumes attainment falls as the rate rises; a noisy probe can mislead it, so the table shows every probe.
/// </summary>
internal sealed class GoodputSweep(SweepOptions options)
{
    public async Task<SweepResult> RunAsync(Func<double, Task<StepSummary>> probe)
    {
        var probes = new List<SweepProbe>();

        async Task<bool> TryAsync(double rate)
        {
            var summary = await probe(rate);
            var passed = summary.SloAttainment is { } attainment && attainment >= options.TargetAttainment;
            probes.Add(new SweepProbe { Rate = rate, Passed = passed, Summary = summary });
            return passed;
        }

        if (!await TryAsync(options.MinRate))
        {
            return Result(bestRate: null, aboveRange: false);
        }

        if (await TryAsync(options.MaxRate))
        {
            return Result(options.MaxRate, aboveRange: true);
        }

        var (passing, failing) = (options.MinRate, options.MaxRate);
        while (probes.Count < options.MaxProbes && (failing - passing) / failing > options.RateTolerance)
        {
            var middle = (passing + failing) / 2;
            if (await TryAsync(middle))
            {
                passing = middle;
            }
            else
            {
                failing = middle;
            }
        }

        return Result(passing, aboveRange: false);

        SweepResult Result(double? bestRate, bool aboveRange) => new()
        {
            TargetAttainment = options.TargetAttainment,
            BestRate = bestRate,
            LimitAboveRange = aboveRange,
            Probes = probes,
        };
    }
}
