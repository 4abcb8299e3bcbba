using EpdCluster.LoadTests.Running;

namespace EpdCluster.LoadTests.Reports;

/// <summary>The raw requests behind a step or a sweep probe, kept for the request CSV and the charts.</summary>
/// <param name="Step">The step's name.</param>
/// <param name="Label">The step name, or "step@rate" for a sweep probe.</param>
/// <param name="Rate">The probe's rate; null for ordinary steps.</param>
internal sealed record RecordedExecution(string Step, string Label, double? Rate, StepExecution Execution);
