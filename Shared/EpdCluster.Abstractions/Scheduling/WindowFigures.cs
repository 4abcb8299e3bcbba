namespace EpdCluster.Abstractions.Scheduling;

/// <summary>
/// SLO attainment and stage latencies over the scheduler's sliding window. Attainment is the share of requests that
/// met the SLO (1 when there were none); the p90 figures are 0 without samples.
/// </summary>
[GenerateSerializer, Immutable, Alias("epd.WindowFigures")]
public sealed record WindowFigures(
    [property: Id(0)] int Requests,
    [property: Id(1)] double TtftAttainment,
    [property: Id(2)] int TpotRequests,
    [property: Id(3)] double TpotAttainment,
    [property: Id(4)] double TtftP90Seconds,
    [property: Id(5)] double EncodeP90Seconds,
    [property: Id(6)] double PrefillP90Seconds,
    [property: Id(7)] double TpotP90Seconds)
{
    public static WindowFigures Empty { get; } = new(0, 1, 0, 1, 0, 0, 0, 0);
}
