using EpdCluster.Abstractions.Scheduling;

namespace EpdCluster.Runtime.Scheduling;

/// <summary>Request samples of the last <see cref="SchedulerOptions.Window"/>, and the attainment and p90 figures over them.</summary>
internal sealed class SloWindow(SchedulerOptions options)
{
    private const double Percentile = 0.9;
    private readonly Queue<(DateTime AtUtc, RequestSample Sample)> _samples = new();

    public void Add(DateTime nowUtc, IEnumerable<RequestSample> samples)
    {
        foreach (var sample in samples)
        {
            _samples.Enqueue((nowUtc, sample));
        }

        Evict(nowUtc);
    }

    /// <summary>The samples held now, with the time each arrived (for the stored state).</summary>
    public IReadOnlyList<TimedSample> Samples() => [.. _samples.Select(s => new TimedSample(s.AtUtc, s.Sample))];

    /// <summary>Puts back samples from a stored state, keeping those still inside the window.</summary>
    public void Restore(DateTime nowUtc, IEnumerable<TimedSample> samples)
    {
        _samples.Clear();
        foreach (var sample in samples.OrderBy(s => s.AtUtc))
        {
            _samples.Enqueue((sample.AtUtc, sample.Sample));
        }

        Evict(nowUtc);
    }

    public WindowFigures Figures(DateTime nowUtc)
    {
        Evict(nowUtc);
        if (_samples.Count == 0)
        {
            return WindowFigures.Empty;
        }

        var samples = _samples.Select(s => s.Sample).ToList();
        var tpots = samples.Where(s => s.TpotSeconds is not null).Select(s => s.TpotSeconds!.Value).ToList();
        return new WindowFigures(
            samples.Count,
            Share(samples.Select(s => s.TtftSeconds), options.TtftSloSeconds),
            tpots.Count,
            Share(tpots, options.TpotSloSeconds),
            P90(samples.Select(s => s.TtftSeconds)),
            P90(samples.Select(s => s.EncodeSeconds)),
            P90(samples.Select(s => s.PrefillSeconds)),
            P90(tpots));
    }

    private void Evict(DateTime nowUtc)
    {
        while (_samples.TryPeek(out var oldest) && oldest.AtUtc <= nowUtc - options.Window)
        {
            _samples.Dequeue();
        }
    }

    /// <summary>Share of values within the SLO; 1 when there are none (nothing missed).</summary>
    private static double Share(IEnumerable<double> values, double slo)
    {
        var list = values.ToList();
        return list.Count == 0 ? 1 : (double)list.Count(v => v <= slo) / list.Count;
    }

    /// <summary>Nearest-rank 90th percentile; 0 for no values.</summary>
    private static double P90(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(Percentile * sorted.Count) - 1)];
    }
}
