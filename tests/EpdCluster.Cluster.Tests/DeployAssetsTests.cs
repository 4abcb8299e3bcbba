using System.Diagnostics;
using System.Text.Json.Nodes;
using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>deploy/prometheus checked by Prometheus' own promtool, and the Grafana dashboards checked as files.</summary>
public sealed class DeployAssetsTests
{
    private const string DatasourceUid = "epd-prometheus";

    private static string PrometheusDirectory => Path.Combine(RepositoryLayout.Root, "deploy", "prometheus");

    [Fact]
    public async Task Promtool_accepts_the_scrape_configuration()
    {
        var result = await PromtoolAsync("check", "config", "prometheus.yml");
        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Contains("SUCCESS", result.Combined, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_accepts_the_rules()
    {
        var result = await PromtoolAsync("check", "rules", "alerts.yml");
        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Matches(@"SUCCESS: \d+ rules found", result.Combined);
    }

    [Fact]
    public async Task Promtool_unit_tests_of_the_alerts_pass()
    {
        var result = await PromtoolAsync("test", "rules", "alerts_test.yml");
        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Contains("SUCCESS", result.Combined, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_alert_has_a_promtool_unit_test()
    {
        var alerts = File.ReadLines(Path.Combine(PrometheusDirectory, "alerts.yml"))
            .Select(l => l.Trim()).Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l["- alert: ".Length..]).ToList();
        var tested = File.ReadAllText(Path.Combine(PrometheusDirectory, "alerts_test.yml"));
        Assert.NotEmpty(alerts);
        Assert.All(alerts, alert => Assert.Contains($"alertname: {alert}\n", tested, StringComparison.Ordinal));
    }

    [Fact]
    public void Dashboards_are_valid_json_with_unique_ids_and_only_the_provisioned_datasource()
    {
        var provisioned = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "deploy", "grafana", "provisioning", "datasources", "prometheus.yml"));
        Assert.Contains($"uid: {DatasourceUid}", provisioned, StringComparison.Ordinal);

        var dashboards = DashboardFiles.All;
        Assert.Equal(["kv-cache.json", "overview.json", "stages.json"], dashboards.Select(Path.GetFileName));
        var uids = new HashSet<string>();
        foreach (var path in dashboards)
        {
            var dashboard = DashboardFiles.Load(path);
            Assert.True(uids.Add((string)dashboard["uid"]!), $"{path}: duplicate dashboard uid");
            var panels = DashboardFiles.Panels(dashboard).ToList();
            Assert.NotEmpty(panels);
            var ids = panels.Select(p => (int)p["id"]!).ToList();
            Assert.True(ids.Count == ids.Distinct().Count(), $"{path}: panel ids repeat: {string.Join(',', ids)}");
            foreach (var panel in panels)
            {
                Assert.Equal(DatasourceUid, (string?)panel["datasource"]?["uid"]);
                var targets = panel["targets"]!.AsArray();
                Assert.NotEmpty(targets);
                Assert.All(targets, t =>
                {
                    Assert.Equal(DatasourceUid, (string?)t!["datasource"]?["uid"]);
                    Assert.False(string.IsNullOrWhiteSpace((string?)t["expr"]), $"{path}: {(string?)panel["title"]} has an empty query");
                });
            }
        }
    }

    [Fact]
    public void Overview_latency_panels_draw_their_slo_and_three_percentiles()
    {
        var overview = DashboardFiles.Load(Path.Combine(DashboardFiles.Directory, "overview.json"));
        foreach (var (title, slo) in new[] { ("Time to first token", "epd_slo_time_to_first_token_seconds"), ("Time per output token", "epd_slo_time_per_output_token_seconds") })
        {
            var exprs = DashboardFiles.Panels(overview).Single(p => (string?)p["title"] == title)["targets"]!.AsArray().Select(t => (string)t!["expr"]!).ToList();
            Assert.Contains(exprs, e => e.Contains(slo, StringComparison.Ordinal));
            Assert.All(["0.5", "0.95", "0.99"], q => Assert.Contains(exprs, e => e.StartsWith($"histogram_quantile({q},", StringComparison.Ordinal)));
        }
    }

    private static async Task<CommandResult> PromtoolAsync(params string[] args)
    {
        var start = new ProcessStartInfo("promtool")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = PrometheusDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start promtool (Debian: apt-get install prometheus)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }
}
