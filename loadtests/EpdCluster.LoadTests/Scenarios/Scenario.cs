using System.Text.Json.Serialization;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Workloads;

namespace EpdCluster.LoadTests.Scenarios;

/// <summary>A named sequence of steps over one workload, with SLOs (docs/loadtests.md, "Scenario files").</summary>
internal sealed record Scenario
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    [JsonPropertyName("description")] public string? Description { get; init; }

    /// <summary>Seeds arrivals and the workload; --seed overrides it.</summary>
    [JsonPropertyName("seed")] public int? Seed { get; init; }

    /// <summary>--goodput overrides it.</summary>
    [JsonPropertyName("slo")] public ServiceLevelObjectives? Slo { get; init; }

    [JsonPropertyName("workload")] public WorkloadSpec Workload { get; init; } = new();

    [JsonPropertyName("steps")] public List<ScenarioStep> Steps { get; init; } = [];

    /// <summary>Checks the scenario; pass <paramref name="workloadHasTimestamps"/> once the workload is read (null: not known yet).</summary>
    public void Validate(bool? workloadHasTimestamps = null)
    {
        if (string.IsNullOrWhiteSpace(Name) || !Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new LoadOptionsException($"scenario name '{Name}' must be letters, digits, '-', '_' or '.' (it names the results folder).");
        }

        if (Steps.Count == 0)
        {
            throw new LoadOptionsException($"scenario '{Name}' has no steps.");
        }

        Slo?.Validate($"scenario '{Name}'");
        foreach (var step in Steps)
        {
            step.Validate(Slo, workloadHasTimestamps);
        }

        if (Steps.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new LoadOptionsException($"scenario '{Name}' has two steps named '{duplicate.Key}'.");
        }

        if (Steps.All(s => s.Kind == StepKind.Warmup))
        {
            throw new LoadOptionsException($"scenario '{Name}' has only warm-up steps; nothing would be measured.");
        }
    }
}
