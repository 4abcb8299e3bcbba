using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Scenarios;
using EpdCluster.Testing;

namespace EpdCluster.LoadTests.Tests;

public sealed class CliTests
{
    [Theory]
    [InlineData("--request-rate", "fast", "--request-rate 'fast'")]
    [InlineData("--request-rate", "-3", "--request-rate '-3'")]
    [InlineData("--goodput", "ttft=100", "NAME:MILLISECONDS")]
    [InlineData("--goodput", "p99:100", "unknown SLO 'p99'")]
    [InlineData("--burstiness", "0", "burstiness must be a positive")]
    [InlineData("--percentile-metrics", "ttft,foo", "unknown metric 'foo'")]
    [InlineData("--metric-percentiles", "50,101", "'101' is not a percentile")]
    [InlineData("--prompt-tokens", "uniform:9-1", "--prompt-tokens")]
    [InlineData("--extra-body", "[1]", "--extra-body must be a JSON object")]
    [InlineData("--progress", "fancy", "--progress 'fancy'")]
    public async Task Bad_options_exit_2_with_a_message_naming_them(string option, string value, string expected)
    {
        var (exitCode, _, error) = await CliRun.RunAsync("--base-url", "http://127.0.0.1:9", option, value, "--num-requests", "1", "--no-charts");

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task A_scenario_refuses_traffic_and_workload_options()
    {
        var scenario = Path.Combine(RepositoryLayout.Root, "loadtests", "scenarios", "smoke.json");

        var (exitCode, _, error) = await CliRun.RunAsync("--base-url", "http://127.0.0.1:9", "--scenario", scenario, "--request-rate", "3", "--prompt-tokens", "5");

        Assert.Equal(2, exitCode);
        Assert.Contains("--request-rate, --prompt-tokens cannot be combined with --scenario", error);
    }

    [Fact]
    public async Task A_duration_at_an_infinite_rate_needs_a_bound_on_concurrency()
    {
        var (exitCode, _, error) = await CliRun.RunAsync("--base-url", "http://127.0.0.1:9", "--duration", "5");

        Assert.Equal(2, exitCode);
        Assert.Contains("--max-concurrency", error);
    }

    [Fact]
    public async Task A_base_url_with_a_path_is_refused()
    {
        var (exitCode, _, error) = await CliRun.RunAsync("--base-url", "http://127.0.0.1:9/v1", "--num-requests", "1");

        Assert.Equal(2, exitCode);
        Assert.Contains("--endpoint", error);
    }

    [Fact]
    public async Task A_sweep_without_slos_is_refused()
    {
        var (exitCode, _, error) = await CliRun.RunAsync("sweep", "--base-url", "http://127.0.0.1:9", "--min-rate", "1", "--max-rate", "4");

        Assert.Equal(2, exitCode);
        Assert.Contains("a sweep needs SLOs", error);
    }

    [Fact]
    public async Task A_run_where_nothing_succeeds_exits_1_and_still_writes_results()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { Status = 500 });
        var results = Path.Combine(Harness.TempFolder(), "r");

        var (exitCode, _, error) = await CliRun.RunAsync("--base-url", server.BaseUrl.ToString(), "--num-requests", "3", "--images-per-request", "0",
            "--prompt-tokens", "3", "--output-dir", results, "--no-charts", "--progress", "none");

        Assert.Equal(1, exitCode);
        Assert.Contains("no request succeeded in step(s) main", error);
        Assert.True(File.Exists(Path.Combine(results, "result.json")));
    }

    [Fact]
    public async Task Requests_carry_the_model_lengths_streaming_options_ignore_eos_extra_body_and_images()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 1, GapsMs = [1] });

        var (exitCode, _, error) = await CliRun.RunAsync("--base-url", server.BaseUrl.ToString(), "--model", "epd-small", "--api-key", "k",
            "--num-requests", "2", "--output-tokens", "3", "--images-per-request", "2", "--image-short-side", "16", "--image-formats", "jpeg",
            "--extra-body", "{\"temperature\":0.5,\"top_p\":0.9}", "--output-dir", Path.Combine(Harness.TempFolder(), "r"), "--no-charts", "--progress", "none");

        Assert.True(exitCode == 0, error);
        Assert.Equal(2, server.Bodies.Count);
        var body = server.Bodies[0];
        Assert.Equal("epd-small", body["model"]!.GetValue<string>());
        Assert.Equal(3, body["max_tokens"]!.GetValue<int>());
        Assert.True(body["stream"]!.GetValue<bool>());
        Assert.True(body["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.True(body["ignore_eos"]!.GetValue<bool>());
        Assert.Equal(0.5, body["temperature"]!.GetValue<double>());
        Assert.Equal(0.9, body["top_p"]!.GetValue<double>());
        var content = body["messages"]![0]!["content"]!.AsArray();
        Assert.Equal(["text", "image_url", "image_url"], content.Select(part => part!["type"]!.GetValue<string>()));
        Assert.StartsWith("data:image/jpeg;base64,", content[1]!["image_url"]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_trace_replays_its_timestamps_within_a_duration_without_a_rate()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 1 });
        var folder = Harness.TempFolder();
        var trace = Path.Combine(folder, "trace.jsonl");
        File.WriteAllLines(trace, Enumerable.Range(0, 10).Select(i => $"{{\"timestamp\": {i * 100}, \"input_length\": 20, \"output_length\": 2, \"hash_ids\": [{i % 3}]}}"));
        var results = Path.Combine(folder, "r");

        // Speed-up 2: offsets 0, 50, ..., 450 ms; the 0.3 s duration keeps the first seven.
        var (exitCode, _, error) = await CliRun.RunAsync("--base-url", server.BaseUrl.ToString(), "--trace", trace, "--timestamp-speedup", "2",
            "--duration", "0.3", "--output-dir", results, "--no-charts", "--progress", "none");

        Assert.True(exitCode == 0, error);
        Assert.Equal(7, Reports.ReportJson.Load(Path.Combine(results, "result.json")).Steps.Single().Summary!.Requests);
        Assert.Equal(7, server.Bodies.Count);
        Assert.All(server.Bodies, body => Assert.Equal(20, ScriptedChatServer.PromptOf(body).Split(' ').Length));
    }

    [Fact]
    public async Task Ignore_eos_can_be_turned_off()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 1 });

        var (exitCode, _, error) = await CliRun.RunAsync("--base-url", server.BaseUrl.ToString(), "--ignore-eos", "false", "--num-requests", "1",
            "--images-per-request", "0", "--prompt-tokens", "2", "--output-dir", Path.Combine(Harness.TempFolder(), "r"), "--no-charts", "--progress", "none");

        Assert.True(exitCode == 0, error);
        Assert.False(Assert.Single(server.Bodies).ContainsKey("ignore_eos"));
        Assert.IsType<System.Text.Json.Nodes.JsonValue>(server.Bodies[0]["messages"]![0]!["content"], exactMatch: false);
    }

    [Fact]
    public void Every_shipped_scenario_loads_and_validates()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "loadtests", "scenarios"), "*.json");

        Assert.Equal(["burst", "cache-reuse", "image-heavy", "smoke", "steady"], files.Select(Path.GetFileNameWithoutExtension).Order());
        foreach (var file in files)
        {
            var scenario = ScenarioFile.Load(file);
            Assert.Equal(Path.GetFileNameWithoutExtension(file), scenario.Name);
            Workloads.WorkloadOptions.From(scenario.Workload, Path.GetDirectoryName(file)!);
            Assert.All(scenario.Steps, step => Assert.True(step.NumRequests is not null || step.DurationSeconds is not null, $"{file}: step {step.Name} is unbounded"));
        }
    }

    [Fact]
    public void A_scenario_with_an_unknown_field_is_refused()
    {
        var path = Path.Combine(Harness.TempFolder(), "typo.json");
        File.WriteAllText(path, """{ "name": "typo", "steps": [ { "name": "a", "kind": "constant", "num_request": 5 } ] }""");

        var error = Assert.Throws<LoadOptionsException>(() => ScenarioFile.Load(path));
        Assert.Contains("num_request", error.Message);
    }
}
