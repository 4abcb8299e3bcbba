using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Workloads;

namespace EpdCluster.LoadTests.Reports;

/// <summary>The result file (<c>result.json</c>): what was run against what, and every step's figures.</summary>
internal sealed record RunReport
{
    /// <summary>Bumped when a field changes meaning; <c>compare</c> refuses files of another version.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public string Tool { get; init; } = "epd-load";

    public string Scenario { get; init; } = "";

    public string? Description { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    public string BaseUrl { get; init; } = "";

    public string Endpoint { get; init; } = "";

    public string Model { get; init; } = "";

    public int Seed { get; init; }

    public ServiceLevelObjectives? Slo { get; init; }

    public List<string> PercentileMetrics { get; init; } = [];

    public List<double> MetricPercentiles { get; init; } = [];

    public WorkloadSpec Workload { get; init; } = new();

    public string WorkloadDescription { get; init; } = "";

    public List<StepReport> Steps { get; init; } = [];
}
