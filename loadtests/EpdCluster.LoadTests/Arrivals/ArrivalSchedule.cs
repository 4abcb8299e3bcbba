using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Arrivals;

/// <summary>
/// Arrival offsets (seconds from the start of a step), with vLLM bench serve's semantics: gamma inter-arrival times with
/// shape = burstiness and scale = 1 / (rate · burstiness), so the mean rate is the rate and the coefficient of variation is
/// 1/√burstiness (1 = Poisson). At an infinite rate every offset is 0. Like vLLM, a count-bounded step at a fixed rate rescales
/// the offsets so the last one falls at exactly count / rate, which keeps throughput comparable across seeds.
/// Ramp-ups move the rate with progress = index / (count − 1) (vLLM), or elapsed / duration for duration-bounded steps.
/// </summary>
internal static class ArrivalSchedule
{
    public static double[] FromRate(TrafficOptions traffic, Random random)
    {
        var limit = traffic.RequestLimit;
        var durationSeconds = traffic.Duration?.TotalSeconds;
        var countBounded = traffic.NumRequests is not null || durationSeconds is null;
        var sampler = new GammaSampler(traffic.Burstiness, random);
        var offsets = new List<double>(Math.Min(limit, 4096));
        var elapsed = 0.0;
        for (var i = 0; i < limit; i++)
        {
            var progress = countBounded ? (double)i / Math.Max(limit - 1, 1) : Math.Min(1.0, elapsed / durationSeconds!.Value);
            var rate = traffic.RampUp?.RateAt(progress) ?? traffic.RequestRate ?? double.PositiveInfinity;
            if (!double.IsPositiveInfinity(rate))
            {
                elapsed += sampler.Next(1.0 / (rate * traffic.Burstiness));
            }

            if (durationSeconds is { } bound && elapsed > bound)
            {
                break;
            }

            offsets.Add(elapsed);
        }

        var fixedRate = traffic.RampUp is null && traffic.RequestRate is { } r && !double.IsPositiveInfinity(r);
        if (fixedRate && durationSeconds is null && offsets.Count > 0 && offsets[^1] > 0)
        {
            var factor = offsets.Count / traffic.RequestRate!.Value / offsets[^1];
            for (var i = 0; i < offsets.Count; i++)
            {
                offsets[i] *= factor;
            }
        }

        return [.. offsets];
    }

    /// <summary>Offsets from a workload's own timestamps: relative to the first, divided by the speed-up, cut at the duration.</summary>
    public static double[] FromTimestamps(IReadOnlyList<double> timestampsSeconds, TrafficOptions traffic)
    {
        if (timestampsSeconds.Count == 0)
        {
            return [];
        }

        var first = timestampsSeconds[0];
        var durationSeconds = traffic.Duration?.TotalSeconds ?? double.PositiveInfinity;
        return timestampsSeconds
            .Select(t => (t - first) / traffic.TimestampSpeedup)
            .TakeWhile(offset => offset <= durationSeconds)
            .ToArray();
    }
}
