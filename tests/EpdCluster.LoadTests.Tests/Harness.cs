using System.Text;
using System.Text.Json;
using EpdCluster.LoadTests.Client;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Running;
using EpdCluster.LoadTests.Workloads;

namespace EpdCluster.LoadTests.Tests;

/// <summary>Runs steps of the load tool against a scripted server, and writes dataset files of scripted prompts.</summary>
internal static class Harness
{
    public static TargetOptions Target(ScriptedChatServer server) => new()
    {
        BaseUrl = server.BaseUrl,
        Model = "scripted",
        RequestTimeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<StepExecution> RunAsync(ScriptedChatServer server, IWorkload workload, TrafficOptions traffic, int seed = 1, bool warmUp = true)
    {
        using var http = ChatCompletionClient.CreateHttpClient();
        var target = Target(server);
        var client = new ChatCompletionClient(http, target);
        // One request first, as a real run's warm-up step does: JIT and the connection pool stay out of the measured figures.
        if (warmUp)
        {
            var body = ChatRequestBody.Build(new LoadRequest(-1, PromptScripts.Write(1, [1]), [], 2, null), target);
            await client.SendAsync(-1, body, 0, 2, System.Diagnostics.Stopwatch.GetTimestamp(), CancellationToken.None);
        }

        var runner = new StepRunner(client, target);
        return await runner.RunAsync(traffic, workload, new Random(seed), new StepProgress("test"), CancellationToken.None);
    }

    /// <summary>A dataset JSONL file with one line per prompt (in a fresh temporary folder).</summary>
    public static string Dataset(IEnumerable<string> prompts, int outputTokens = 4)
    {
        var path = Path.Combine(TempFolder(), "dataset.jsonl");
        var lines = prompts.Select(p => JsonSerializer.Serialize(new Dictionary<string, object> { ["prompt"] = p, ["output_tokens"] = outputTokens }));
        File.WriteAllLines(path, lines, Encoding.UTF8);
        return path;
    }

    public static DatasetReplayWorkload DatasetWorkload(string path) =>
        new(path, WorkloadOptions.From(new WorkloadSpec { Dataset = path }, Path.GetDirectoryName(path)!), seed: 0);

    public static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "epd-load-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
