using System.Text.Json.Nodes;
using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// A cluster of real processes whose workers run the simulated engine (redis-server, 2 encode, 1 prefill, 2 decode
/// silos, gateway; the scheduler makes no automatic moves, so the tests decide every switch), and an all-in-one
/// gateway on the same simulated engine as the reference for tokens. The profile is this machine's measured one with
/// a KV pool no model-backed worker has, so the pool size shows which engine a worker runs.
/// </summary>
public sealed class SimulatedClusterFixture : IAsyncLifetime
{
    public const int KvBlocks = 3000;

    private readonly string _profileDirectory = Directory.CreateTempSubdirectory("epd-sim-profile-").FullName;

    public EpdLauncher Cluster { get; } = new();

    public EpdLauncher AllInOne { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(3) };

    public async ValueTask InitializeAsync()
    {
        var profile = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryLayout.Root, "loadtests", "profiles", "epd-tiny-cpu.json")))!;
        profile["kv_blocks"] = KvBlocks;
        var path = Path.Combine(_profileDirectory, "profile.json");
        await File.WriteAllTextAsync(path, profile.ToJsonString());
        await Task.WhenAll(
            Cluster.UpAsync("--simulated", "--profile", path, "--encoders", "2", "--prefills", "1", "--decoders", "2", "--set", "Epd:Scheduler:Automatic=false"),
            AllInOne.UpAsync("--all-in-one", "--profile", path));
    }

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        Cluster.Dispose();
        AllInOne.Dispose();
        Directory.Delete(_profileDirectory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
