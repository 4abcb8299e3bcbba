using System.Text.Json.Serialization;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Scenarios;

/// <summary>A ramp-up as written in a scenario file.</summary>
internal sealed record RampUpSpec
{
    [JsonPropertyName("strategy")] public RampUpStrategy Strategy { get; init; } = RampUpStrategy.Linear;

    [JsonPropertyName("start_rps")] public double StartRps { get; init; }

    [JsonPropertyName("end_rps")] public double EndRps { get; init; }
}
