using System.Text.Json;
using EpdCluster.LoadTests.Reports;

namespace EpdCluster.LoadTests.Tests;

/// <summary>A whole run through the command line against the scripted server, and the files it leaves.</summary>
public sealed class ReportTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static string Scenario(string folder)
    {
        var path = Path.Combine(folder, "tiny.json");
        File.WriteAllText(path, """
            {
              // comments are allowed in scenario files
              "name": "tiny",
              "description": "two steps and a sweep against the scripted server",
              "seed": 9,
              "slo": { "ttft_ms": 2000, "tpot_ms": 500 },
              "workload": { "prompt_tokens": "8", "output_tokens": "4", "images_per_request": "1", "image_short_side": "32" },
              "steps": [
                { "name": "warm-up", "kind": "warmup", "num_requests": 2 },
                { "name": "steady", "kind": "constant", "request_rate": 40, "num_requests": 12, "max_concurrency": 4 },
                { "name": "ramp", "kind": "ramp", "ramp_up": { "strategy": "linear", "start_rps": 20, "end_rps": 60 }, "num_requests": 10 },
                { "name": "goodput", "kind": "sweep", "num_requests": 6, "sweep": { "min_rate": 10, "max_rate": 40, "max_probes": 3 } }
              ]
            }
            """);
        return path;
    }

    [Fact]
    public async Task A_scenario_run_writes_json_csv_markdown_and_png_reports_and_the_json_round_trips()
    {
        // Synthetic prompts are random words, not scripts: this server answers every request the same way.
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 15, GapsMs = [5, 5, 5], ImageTokens = 64 });
        var folder = Harness.TempFolder();
        var results = Path.Combine(folder, "results");

        var (exitCode, output, error) = await CliRun.RunAsync("--base-url", server.BaseUrl.ToString().TrimEnd('/'), "--scenario", Scenario(folder), "--output-dir", results, "--progress", "plain");

        Assert.True(exitCode == 0, $"exit {exitCode}: {error}\n{output}");
        foreach (var file in new[] { "result.json", "steps.csv", "sweep.csv", "requests.csv", "report.md" })
        {
            Assert.True(File.Exists(Path.Combine(results, file)), $"{file} missing");
        }

        var report = ReportJson.Load(Path.Combine(results, "result.json"));
        Assert.Equal(["warm-up", "steady", "ramp", "goodput"], report.Steps.Select(s => s.Step.Name));
        Assert.Equal(12, report.Steps[1].Summary!.Completed);
        Assert.Equal(1.0, report.Steps[1].Summary!.SloAttainment);
        Assert.Equal(12 * 64, report.Steps[1].Summary!.TotalImageTokens);
        Assert.Equal(9, report.Seed);
        Assert.Equal(40, report.Steps[3].Sweep!.BestRate);
        Assert.Equal(ReportJson.Serialize(report), File.ReadAllText(Path.Combine(results, "result.json")));
        Assert.Equal(JsonSerializer.Serialize(report.Steps[1].Summary, ReportJson.Options), JsonSerializer.Serialize(ReportJson.Load(Path.Combine(results, "result.json")).Steps[1].Summary, ReportJson.Options));

        // 2 warm-up + 12 + 10 + 2 probes of 6 requests, plus the header.
        var requestRows = File.ReadAllLines(Path.Combine(results, "requests.csv"));
        Assert.Equal(1 + 2 + 12 + 10 + 12, requestRows.Length);
        Assert.StartsWith("step,probe_rate,index,start_s,success", requestRows[0]);
        var stepRows = File.ReadAllLines(Path.Combine(results, "steps.csv"));
        Assert.Equal(1 + 4, stepRows.Length);
        Assert.Contains("p99_ttft_ms", stepRows[0]);

        var markdown = File.ReadAllText(Path.Combine(results, "report.md"));
        Assert.Contains("# Load test: tiny", markdown);
        Assert.Contains("| steady | constant | 40 | 12/12 |", markdown);
        Assert.Contains("goodput 40 req/s", markdown.Replace(">= ", "", StringComparison.Ordinal));
        Assert.Contains("](charts/steady-ttft-cdf.png)", markdown);

        foreach (var chart in new[] { "steady-latency-over-time", "steady-ttft-cdf", "steady-tpot-cdf", "ramp-ttft-cdf", "goodput-sweep", "goodput-tpot-cdf" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(results, "charts", chart + ".png"));
            Assert.True(bytes.Length > 5_000, $"{chart}.png is only {bytes.Length} bytes");
            Assert.Equal(PngSignature, bytes[..8]);
        }

        Assert.False(File.Exists(Path.Combine(results, "charts", "warm-up-ttft-cdf.png")));
        Assert.Contains("[steady]", output); // plain progress lines
        Assert.Contains("Successful requests", output);
    }

    [Fact]
    public async Task Compare_shows_two_result_files_side_by_side()
    {
        await using var fast = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 10, GapsMs = [5] });
        await using var slow = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 1200, GapsMs = [5] });
        var folder = Harness.TempFolder();
        string[] Args(ScriptedChatServer server, string name) =>
            ["--base-url", server.BaseUrl.ToString(), "--num-requests", "6", "--request-rate", "inf", "--max-concurrency", "2", "--prompt-tokens", "4",
             "--output-tokens", "2", "--images-per-request", "0", "--output-dir", Path.Combine(folder, name), "--no-charts", "--progress", "none",
             "--goodput", "ttft:800"]; // far from both servers' TTFT, so a busy machine cannot flip attainment

        Assert.Equal(0, (await CliRun.RunAsync(Args(fast, "a"))).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync(Args(slow, "b"))).ExitCode);
        var markdownPath = Path.Combine(folder, "compare.md");
        var (exitCode, output, error) = await CliRun.RunAsync("compare", Path.Combine(folder, "a", "result.json"), Path.Combine(folder, "b", "result.json"), "--output", markdownPath);

        Assert.True(exitCode == 0, error);
        Assert.Contains("step main", output);
        var markdown = File.ReadAllText(markdownPath);
        Assert.Contains("| SLO attainment (%) | 100 | 0 | -100% |", markdown);
        Assert.Matches(@"\| mean TTFT \(ms\) \| [\d.]+ \| [\d.]+ \| \+\d+", markdown); // the slower server's TTFT is higher
    }

    [Fact]
    public void Relative_change_is_signed_and_handles_zero()
    {
        Assert.Equal("+50%", ReportComparison.Change(2, 3));
        Assert.Equal("-25%", ReportComparison.Change(4, 3));
        Assert.Equal("new", ReportComparison.Change(0, 3));
        Assert.Equal("-", ReportComparison.Change(null, 3));
    }
}
