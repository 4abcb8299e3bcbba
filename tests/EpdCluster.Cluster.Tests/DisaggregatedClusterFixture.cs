using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// Three real deployments started side by side: a disaggregated cluster (redis-server, 2 encode, 1 prefill and
/// 1 decode silo processes, gateway) on the direct KV channel, a second one on the Redis KV transport, and an
/// all-in-one gateway whose aggregated engine is the reference. All load the same dummy weights.
/// </summary>
public sealed class DisaggregatedClusterFixture : IAsyncLifetime
{
    public EpdLauncher Direct { get; } = new();

    public EpdLauncher RedisTransport { get; } = new();

    public EpdLauncher AllInOne { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>These tests pin where work runs: the scheduler must not move the second encoder away.</summary>
    private const string NoAutomaticMoves = "Epd:Scheduler:Automatic=false";

    public async ValueTask InitializeAsync() => await Task.WhenAll(
        Direct.UpAsync("--encoders", "2", "--prefills", "1", "--decoders", "1", "--set", NoAutomaticMoves),
        RedisTransport.UpAsync("--encoders", "1", "--prefills", "1", "--decoders", "1", "--set", "Epd:Transfer:KvTransport=Redis"),
        AllInOne.UpAsync("--all-in-one"));

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        Direct.Dispose();
        RedisTransport.Dispose();
        AllInOne.Dispose();
        return ValueTask.CompletedTask;
    }
}
