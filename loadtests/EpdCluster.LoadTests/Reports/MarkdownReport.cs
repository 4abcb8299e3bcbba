using System.Text;
using EpdCluster.LoadTests.Metrics;
using EpdCluster.LoadTests.Scenarios;

namespace EpdCluster.LoadTests.Reports;

/// <summary><c>report.md</c>: the run's context, the step overview, each step's detail and sweep table, and links to the charts.</summary>
internal static class MarkdownReport
{
    public static string Render(RunReport report, IReadOnlyList<LatencyMetric> metrics, IReadOnlyList<double> percentiles, IReadOnlyDictionary<string, List<string>> chartsByStep)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Load test: {report.Scenario}").AppendLine();
        if (!string.IsNullOrWhiteSpace(report.Description))
        {
            md.AppendLine(report.Description).AppendLine();
        }

        md.AppendLine($"- Target: `{report.BaseUrl}{report.Endpoint}`, model `{report.Model}`");
        md.AppendLine($"- Workload: {report.WorkloadDescription}");
        md.AppendLine($"- Seed: {report.Seed}; SLOs: {report.Slo?.ToString() ?? "none"}");
        md.AppendLine($"- Started {report.StartedAt:u}, finished {report.FinishedAt:u}");
        md.AppendLine();
        MarkdownTables.Append(md, ReportTables.Overview(report));

        foreach (var step in report.Steps)
        {
            md.AppendLine($"## {step.Step.Name}").AppendLine();
            if (step.Step.Kind == StepKind.Warmup)
            {
                md.AppendLine("Warm-up: not part of the measured results.").AppendLine();
            }

            if (step.TimeLimitReached)
            {
                md.AppendLine("**The step reached its time limit; open requests were cancelled.**").AppendLine();
            }

            if (step.Sweep is not null)
            {
                MarkdownTables.Append(md, ReportTables.Sweep(step));
            }

            if (step.Summary is not null)
            {
                MarkdownTables.Append(md, ReportTables.Detail(step, metrics, percentiles));
            }

            foreach (var chart in chartsByStep.GetValueOrDefault(step.Step.Name) ?? [])
            {
                md.AppendLine($"![{Path.GetFileNameWithoutExtension(chart)}]({chart})").AppendLine();
            }
        }

        return md.ToString();
    }
}
