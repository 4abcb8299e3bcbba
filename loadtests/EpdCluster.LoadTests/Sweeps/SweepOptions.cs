using System.Text.Json.Serialization;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Sweeps;

/// <summary>A bisection of the request rate for the highest rate whose SLO attainment reaches the target.</summary>
internal sealed record SweepOptions
{
    /// <summary>Probes in one sweep: the bounds plus six bisections narrow a 1–64 req/s range to about 1 req/s.</summary>
    public const int DefaultMaxProbes = 8;

    /// <summary>Stop bisecting when the bracket is within 5% of its upper rate: finer than run-to-run noise.</summary>
    public const double DefaultRateTolerance = 0.05;

    [JsonPropertyName("min_rate")] public double MinRate { get; init; }

    [JsonPropertyName("max_rate")] public double MaxRate { get; init; }

    [JsonPropertyName("max_probes")] public int MaxProbes { get; init; } = DefaultMaxProbes;

    [JsonPropertyName("target_attainment")] public double TargetAttainment { get; init; } = ServiceLevelObjectives.DefaultTargetAttainment;

    [JsonPropertyName("rate_tolerance")] public double RateTolerance { get; init; } = DefaultRateTolerance;

    public void Validate(string where)
    {
        if (!(MinRate > 0) || !(MaxRate > MinRate) || double.IsInfinity(MaxRate))
        {
            throw new LoadOptionsException($"{where}: a sweep needs 0 < min rate < max rate, both finite (got {MinRate} and {MaxRate}).");
        }

        if (MaxProbes < 2)
        {
            throw new LoadOptionsException($"{where}: a sweep needs at least 2 probes (the two bounds), got {MaxProbes}.");
        }

        if (!(TargetAttainment > 0 && TargetAttainment <= 1))
        {
            throw new LoadOptionsException($"{where}: the target attainment must be in (0, 1], e.g. 0.9 (got {TargetAttainment}).");
        }

        if (!(RateTolerance > 0 && RateTolerance < 1))
        {
            throw new LoadOptionsException($"{where}: the rate tolerance must be in (0, 1), e.g. 0.05 (got {RateTolerance}).");
        }
    }
}
