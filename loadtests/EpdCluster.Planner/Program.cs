using EpdCluster.Planner;
using EpdCluster.Simulation.Planning;
using EpdCluster.Simulation.Profiles;
using EpdCluster.Simulation.Workloads;

if (args.FirstOrDefault() == "shift")
{
    return RunShift(args[1..]);
}

PlanArguments arguments;
EngineProfile profile;
WorkloadSpec workload;
Slo slo;
try
{
    arguments = PlanArguments.Parse(args);
    profile = EngineProfile.Load(arguments.Profile);
    workload = WorkloadSpec.Load(arguments.Workload);
    slo = new Slo(
        (arguments.TtftMs / 1000) ?? workload.Slo?.TtftSeconds ?? throw new ArgumentException("No TTFT SLO: pass --ttft-ms or use a workload file with an slo."),
        (arguments.TpotMs / 1000) ?? workload.Slo?.TpotSeconds ?? throw new ArgumentException("No TPOT SLO: pass --tpot-ms or use a workload file with an slo."));
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or FormatException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"epd-plan: {e.Message}");
    Console.Error.WriteLine(PlanArguments.Usage);
    return 2;
}

var rows = SplitPlanner.Rank(profile, workload, slo, arguments.Workers, new PlanOptions { Requests = arguments.Requests, Seed = arguments.Seed, IncludeAggregated = arguments.Aggregated });
var report = PlanReport.Format(rows, slo, arguments.Workers, $"{profile.Name} ({arguments.Profile})", arguments.Workload);
Console.Write(report);
if (arguments.Output is { } output)
{
    File.WriteAllText(output, report);
    var chart = PlanChart.PathBeside(output);
    var labelled = PlanChart.Write(rows, slo, arguments.Workers, chart);
    Console.WriteLine(labelled ? $"Chart: {chart}" : $"Chart: {chart} (no font found, drawn without text)");
}

return 0;

static int RunShift(string[] args)
{
    ShiftArguments arguments;
    EngineProfile profile;
    WorkloadSpec before, after;
    Slo slo;
    try
    {
        arguments = ShiftArguments.Parse(args);
        profile = EngineProfile.Load(arguments.Profile);
        before = WorkloadSpec.Load(arguments.Before);
        after = WorkloadSpec.Load(arguments.After);
        slo = new Slo(
            (arguments.TtftMs / 1000) ?? after.Slo?.TtftSeconds ?? throw new ArgumentException("No TTFT SLO: pass --ttft-ms or use workload files with an slo."),
            (arguments.TpotMs / 1000) ?? after.Slo?.TpotSeconds ?? throw new ArgumentException("No TPOT SLO: pass --tpot-ms or use workload files with an slo."));
    }
    catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or FormatException or System.Text.Json.JsonException)
    {
        Console.Error.WriteLine($"epd-plan shift: {e.Message}");
        Console.Error.WriteLine(ShiftArguments.Usage);
        return 2;
    }

    var report = new ShiftExperiment(profile, before, after, slo, arguments).Run();
    Console.Write(report);
    if (arguments.Output is { } output)
    {
        File.WriteAllText(output, report);
    }

    return 0;
}
