using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// A cluster of real processes with two decode workers (redis-server, 1 encode, 1 prefill, 2 decode silos, gateway)
/// whose scheduler makes no automatic moves, so the tests decide every switch; and an all-in-one gateway whose
/// aggregated engine is the reference for tokens.
/// </summary>
public sealed class RoleSwitchClusterFixture : IAsyncLifetime
{
    public EpdLauncher Cluster { get; } = new();

    public EpdLauncher AllInOne { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(3) };

    public async ValueTask InitializeAsync() => await Task.WhenAll(
        Cluster.UpAsync("--encoders", "1", "--prefills", "1", "--decoders", "2", "--set", "Epd:Scheduler:Automatic=false"),
        AllInOne.UpAsync("--all-in-one"));

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        Cluster.Dispose();
        AllInOne.Dispose();
        return ValueTask.CompletedTask;
    }
}
