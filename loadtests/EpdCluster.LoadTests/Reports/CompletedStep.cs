namespace EpdCluster.LoadTests.Reports;

/// <summary>A finished step: what goes into the result file, and the raw requests behind it.</summary>
internal sealed record CompletedStep(StepReport Report, IReadOnlyList<RecordedExecution> Executions);
