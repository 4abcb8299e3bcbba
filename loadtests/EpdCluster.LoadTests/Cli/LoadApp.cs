using System.CommandLine;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Reports;
using EpdCluster.LoadTests.Running;
using EpdCluster.LoadTests.Scenarios;
using EpdCluster.LoadTests.Workloads;
using Spectre.Console;

namespace EpdCluster.LoadTests.Cli;

/// <summary>
/// <c>epd-load</c>: run a scenario or a single step (root command), <c>sweep</c> for goodput, <c>compare</c> two result files.
/// Exit codes: 0 done; 1 a measured step had no successful request, or the run was interrupted; 2 bad options or input files.
/// </summary>
internal sealed class LoadApp(IAnsiConsole console, TextWriter output, TextWriter error)
{
    private readonly CliOptions _options = new();

    public Task<int> RunAsync(string[] args, CancellationToken cancellation = default) =>
        BuildCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellation);

    public RootCommand BuildCommand()
    {
        var root = new RootCommand("epd-load: load generator for OpenAI-compatible multimodal chat servers, with vLLM bench serve's semantics. See docs/loadtests.md.");
        foreach (var option in _options.Common.Concat(_options.RunOnly))
        {
            root.Add(option);
        }

        root.SetAction((parse, token) => GuardAsync(() => RunScenarioAsync(parse, token)));

        var sweep = new Command("sweep", "Bisect the request rate for the highest rate whose SLO attainment reaches the target (goodput).");
        foreach (var option in _options.Common.Concat(_options.SweepOnly))
        {
            sweep.Add(option);
        }

        sweep.SetAction((parse, token) => GuardAsync(() => RunSweepAsync(parse, token)));
        root.Add(sweep);

        var baseline = new Argument<string>("baseline") { Description = "The first result.json" };
        var candidate = new Argument<string>("candidate") { Description = "The second result.json" };
        var markdown = new Option<string?>("--output") { Description = "Also write the comparison as Markdown to this file" };
        var compare = new Command("compare", "Show two result files side by side, step by step.") { baseline, candidate, markdown };
        compare.SetAction((parse, _) => GuardAsync(() => Task.FromResult(Compare(parse.GetValue(baseline)!, parse.GetValue(candidate)!, parse.GetValue(markdown)))));
        root.Add(compare);
        return root;
    }

    private async Task<int> RunScenarioAsync(ParseResult parse, CancellationToken cancellation)
    {
        var binder = new CliBinder(_options, parse);
        Scenario scenario;
        string baseDirectory;
        if (parse.GetValue(_options.Scenario) is { } path)
        {
            var refused = _options.TrafficOptions.Concat(_options.WorkloadOptions).Where(binder.Given).Select(o => o.Name).ToList();
            if (refused.Count > 0)
            {
                throw new LoadOptionsException($"{string.Join(", ", refused)} cannot be combined with --scenario: the scenario's steps and workload set them.");
            }

            scenario = ScenarioFile.Load(path);
            baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        }
        else
        {
            scenario = new Scenario { Name = "run", Workload = binder.Workload(), Steps = [binder.RunStep()] };
            baseDirectory = Directory.GetCurrentDirectory();
        }

        return await ExecuteAsync(binder, scenario, baseDirectory, cancellation);
    }

    private Task<int> RunSweepAsync(ParseResult parse, CancellationToken cancellation)
    {
        var binder = new CliBinder(_options, parse);
        var scenario = new Scenario { Name = "sweep", Workload = binder.Workload(), Steps = [binder.SweepStep()] };
        return ExecuteAsync(binder, scenario, Directory.GetCurrentDirectory(), cancellation);
    }

    private async Task<int> ExecuteAsync(CliBinder binder, Scenario scenario, string baseDirectory, CancellationToken cancellation)
    {
        var target = binder.Target();
        var reports = binder.Reports();
        var slo = binder.Slo() ?? scenario.Slo;
        var seed = binder.Seed() ?? scenario.Seed ?? CliBinder.DefaultSeed;
        scenario = scenario with { Slo = slo, Seed = seed };
        scenario.Validate();
        var workload = WorkloadFactory.Create(WorkloadOptions.From(scenario.Workload, baseDirectory), seed);
        scenario.Validate(workload.HasTimestamps);
        var outputDirectory = reports.OutputDirectory
            ?? Path.Combine("load-results", $"{scenario.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");

        var (report, steps) = await new ScenarioRunner(target, reports, console).RunAsync(scenario, workload, slo, seed, cancellation);
        var (files, notes) = ReportWriter.WriteAll(outputDirectory, report, steps, reports);
        foreach (var note in notes)
        {
            console.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        }

        console.MarkupLine(Markup.Escape($"results: {Path.GetFullPath(outputDirectory)} ({files.Count} files; {ReportWriter.ResultFile}, report.md, charts/)"));
        if (cancellation.IsCancellationRequested)
        {
            await error.WriteLineAsync("epd-load: interrupted; the results hold the steps run so far.");
            return 1;
        }

        var empty = report.Steps.Where(s => s.Step.Kind != StepKind.Warmup && s.Step.Kind != StepKind.Sweep && s.Summary is { Completed: 0 }).Select(s => s.Step.Name).ToList();
        if (empty.Count > 0)
        {
            await error.WriteLineAsync($"epd-load: no request succeeded in step(s) {string.Join(", ", empty)}; see the errors above and in requests.csv.");
            return 1;
        }

        return 0;
    }

    private int Compare(string baselinePath, string candidatePath, string? markdownPath)
    {
        var baseline = ReportJson.Load(baselinePath);
        var candidate = ReportJson.Load(candidatePath);
        foreach (var table in ReportComparison.Tables(baseline, candidate))
        {
            ConsoleReport.Write(console, table);
        }

        if (markdownPath is not null)
        {
            File.WriteAllText(markdownPath, ReportComparison.Markdown(baseline, candidate));
            console.MarkupLine(Markup.Escape($"comparison written to {markdownPath}"));
        }

        return 0;
    }

    private async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (LoadOptionsException e)
        {
            await error.WriteLineAsync($"epd-load: {e.Message}");
            return 2;
        }
    }
}
