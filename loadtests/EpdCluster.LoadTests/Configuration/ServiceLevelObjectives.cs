using System.Globalization;
using System.Text.Json.Serialization;

namespace EpdCluster.LoadTests.Configuration;

/// <summary>
/// Per-request SLOs in milliseconds (vLLM's <c>--goodput ttft:MS tpot:MS e2el:MS</c>). A request is good when it
/// succeeded and every given latency is at most its objective.
/// </summary>
internal sealed record ServiceLevelObjectives
{
    /// <summary>The EPD paper's attainment threshold: goodput is the highest rate where 90% of requests meet the SLOs.</summary>
    public const double DefaultTargetAttainment = 0.9;

    [JsonPropertyName("ttft_ms")] public double? TtftMs { get; init; }

    [JsonPropertyName("tpot_ms")] public double? TpotMs { get; init; }

    [JsonPropertyName("e2el_ms")] public double? E2elMs { get; init; }

    [JsonIgnore] public bool IsEmpty => TtftMs is null && TpotMs is null && E2elMs is null;

    /// <summary>Parses vLLM's form: <c>ttft:1400 tpot:40</c> (also comma-separated).</summary>
    public static ServiceLevelObjectives Parse(IEnumerable<string> tokens)
    {
        var slo = new ServiceLevelObjectives();
        foreach (var token in tokens.SelectMany(t => t.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)))
        {
            var parts = token.Split(':');
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || !(ms > 0) || double.IsInfinity(ms))
            {
                throw new LoadOptionsException($"--goodput: '{token}' is not NAME:MILLISECONDS with a positive number (e.g. ttft:1400 tpot:40 e2el:20000).");
            }

            slo = parts[0].ToLowerInvariant() switch
            {
                "ttft" => slo with { TtftMs = ms },
                "tpot" => slo with { TpotMs = ms },
                "e2el" => slo with { E2elMs = ms },
                _ => throw new LoadOptionsException($"--goodput: unknown SLO '{parts[0]}'; use ttft, tpot or e2el."),
            };
        }

        return slo;
    }

    /// <summary>Whether a successful request with these latencies (seconds) meets every objective; TPOT is 0 for one-token outputs, as in vLLM.</summary>
    public bool IsMet(double ttftSeconds, double tpotSeconds, double e2elSeconds) =>
        (TtftMs is not { } ttft || ttftSeconds * 1000 <= ttft)
        && (TpotMs is not { } tpot || tpotSeconds * 1000 <= tpot)
        && (E2elMs is not { } e2el || e2elSeconds * 1000 <= e2el);

    public void Validate(string where)
    {
        foreach (var (name, value) in new[] { ("ttft", TtftMs), ("tpot", TpotMs), ("e2el", E2elMs) })
        {
            if (value is { } ms && (!(ms > 0) || double.IsInfinity(ms)))
            {
                throw new LoadOptionsException($"{where}: the {name} SLO must be positive milliseconds (got {ms}).");
            }
        }
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (TtftMs is { } ttft)
        {
            parts.Add(FormattableString.Invariant($"ttft:{ttft}"));
        }

        if (TpotMs is { } tpot)
        {
            parts.Add(FormattableString.Invariant($"tpot:{tpot}"));
        }

        if (E2elMs is { } e2el)
        {
            parts.Add(FormattableString.Invariant($"e2el:{e2el}"));
        }

        return parts.Count == 0 ? "none" : string.Join(' ', parts);
    }
}
