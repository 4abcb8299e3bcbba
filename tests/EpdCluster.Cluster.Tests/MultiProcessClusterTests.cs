using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// <c>./epd up</c> with real redis-server, one silo process per role and a gateway process, checked through the
/// gateway's HTTP API; then <c>./epd down</c>, checked against the operating system's process table.
/// </summary>
public sealed class MultiProcessClusterTests
{
    [Fact]
    public async Task Up_forms_one_cluster_with_a_silo_per_role_and_down_leaves_no_process()
    {
        using var launcher = new EpdLauncher();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await launcher.UpAsync("--encoders", "1", "--prefills", "1", "--decoders", "1");

        var pids = launcher.ReadPids();
        Assert.Equal(["decode-1", "encode-1", "gateway", "prefill-1", "redis"], pids.Keys.Order());
        Assert.Equal(pids.Count, pids.Values.Distinct().Count());
        Assert.All(pids.Values, pid => Assert.True(ProcessChecks.IsRunning(pid), $"pid {pid} is not running"));
        Assert.DoesNotContain(Environment.ProcessId, pids.Values);

        var cluster = await ClusterSummaryDto.FetchAsync(http, launcher.GatewayUrl);
        Assert.Equal(3, cluster.Silos.Count);
        Assert.All(cluster.Silos, s => Assert.Equal("Active", s.Status));
        Assert.Equal(["decode-1", "encode-1", "prefill-1"], cluster.Silos.Select(s => s.WorkerId).Order());
        foreach (var role in new[] { "encode", "prefill", "decode" })
        {
            var silo = Assert.Single(cluster.Silos, s => s.Roles.Contains(role));
            Assert.Equal([role], silo.Roles);
            Assert.Equal($"{role}-1", silo.WorkerId);
            Assert.Equal(1, cluster.RoleCounts[role]);
        }

        Assert.Equal(3, cluster.Silos.Select(s => s.Address).Distinct().Count());

        // Every worker loaded its model and reports to the directory with a KV pool.
        for (var attempt = 0; attempt < 50 && cluster.Workers.Count < 3; attempt++)
        {
            await Task.Delay(200);
            cluster = await ClusterSummaryDto.FetchAsync(http, launcher.GatewayUrl);
        }

        Assert.Equal(["decode-1", "encode-1", "prefill-1"], cluster.Workers.Select(w => w.WorkerId).Order());
        Assert.All(cluster.Workers, w => Assert.True(w.Load.TotalKvBlocks > 0 && w.Load.FreeKvBlocks == w.Load.TotalKvBlocks, $"{w.WorkerId}: {w.Load}"));

        var health = await http.GetAsync(new Uri(launcher.GatewayUrl, "/health"), TestContext.Current.CancellationToken);
        Assert.True(health.IsSuccessStatusCode);

        var status = await launcher.RunAsync("status");
        Assert.Equal(0, status.ExitCode);
        foreach (var name in pids.Keys)
        {
            Assert.Matches($@"(?m)^{name}\s+{pids[name]}\s+running", status.StandardOutput);
        }

        var down = await launcher.RunAsync("down");
        Assert.Equal(0, down.ExitCode);
        Assert.All(pids, p => Assert.False(ProcessChecks.IsRunning(p.Value), $"{p.Key} (pid {p.Value}) still runs after down"));

        var after = await launcher.RunAsync("status");
        Assert.Contains("No cluster started", after.StandardOutput);
    }

    [Fact]
    public async Task All_in_one_gateway_hosts_a_single_worker_with_every_role()
    {
        using var launcher = new EpdLauncher();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        await launcher.UpAsync("--all-in-one");

        var pids = launcher.ReadPids();
        Assert.Equal(["gateway"], pids.Keys);
        var cluster = await ClusterSummaryDto.FetchAsync(http, launcher.GatewayUrl);
        var silo = Assert.Single(cluster.Silos);
        Assert.Equal(["encode", "prefill", "decode"], silo.Roles);
        Assert.All(cluster.RoleCounts.Values, count => Assert.Equal(1, count));
    }
}
