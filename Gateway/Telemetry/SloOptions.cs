namespace EpdCluster.Gateway.Telemetry;

/// <summary>
/// The latency targets a request should meet. Section <c>Epd:Slo</c>. Exported as gauges so dashboards draw them and
/// alert rules compare against them; a request that meets both counts in <c>epd_requests_within_slo_total</c>.
/// </summary>
public sealed class SloOptions
{
    public const string SectionName = "Epd:Slo";

    /// <summary>Time to first token target (default 1.4 s: the EPD paper's TTFT SLO for its 2-image workload).</summary>
    public double TimeToFirstTokenSeconds { get; set; } = 1.4;

    /// <summary>Time per output token target (default 0.04 s: the EPD paper's TPOT SLO for the same workload).</summary>
    public double TimePerOutputTokenSeconds { get; set; } = 0.04;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (!(TimeToFirstTokenSeconds > 0) || double.IsInfinity(TimeToFirstTokenSeconds))
        {
            throw new InvalidOperationException($"{SectionName}:TimeToFirstTokenSeconds must be a positive number of seconds.");
        }

        if (!(TimePerOutputTokenSeconds > 0) || double.IsInfinity(TimePerOutputTokenSeconds))
        {
            throw new InvalidOperationException($"{SectionName}:TimePerOutputTokenSeconds must be a positive number of seconds.");
        }
    }
}
