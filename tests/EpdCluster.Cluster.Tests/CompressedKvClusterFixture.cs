using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>A disaggregated cluster (1 encode, 1 prefill, 1 decode process) whose KV hand-off uses the lossy <c>kivi</c> codec by default and logs each encoding.</summary>
public sealed class CompressedKvClusterFixture : IAsyncLifetime
{
    public EpdLauncher Cluster { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask InitializeAsync() =>
        await Cluster.UpAsync(
            "--encoders", "1", "--prefills", "1", "--decoders", "1",
            "--set", "Epd:Transfer:KvCodec=kivi",
            "--set", "Logging:LogLevel:EpdCluster.Runtime.Stages.KvHandOff=Debug"); // one line per encoded hand-off

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        Cluster.Dispose();
        return ValueTask.CompletedTask;
    }
}
