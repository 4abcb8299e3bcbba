using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// A simulated cluster of six workers (2 encode, 2 prefill, 2 decode) whose scheduler keeps samples and its cooldown
/// long enough to outlast a silo's death being noticed (window and cooldown 10 minutes), with automatic moves on.
/// </summary>
public sealed class SchedulerFailoverFixture : IAsyncLifetime
{
    public EpdLauncher Cluster { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(3) };

    public async ValueTask InitializeAsync() => await Cluster.UpAsync(
        "--simulated", "--encoders", "2", "--prefills", "2", "--decoders", "2",
        "--set", "Epd:Scheduler:Window=00:10:00", "--set", "Epd:Scheduler:Cooldown=00:10:00", "--set", "Epd:Scheduler:Automatic=true");

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        Cluster.Dispose();
        return ValueTask.CompletedTask;
    }
}
