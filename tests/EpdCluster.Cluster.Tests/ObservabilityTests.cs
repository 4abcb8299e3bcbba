using System.Text.Json.Nodes;
using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// The deploy/ assets against a real Prometheus scraping a real cluster: every dashboard query and every rule runs and
/// returns data after traffic, and the numbers are the right ones (they add up to what the responses reported).
/// </summary>
public sealed class ObservabilityTests(ObservedClusterFixture cluster) : IClassFixture<ObservedClusterFixture>
{
    /// <summary>What Grafana substitutes for <c>$__rate_interval</c> at a 15 s scrape interval: 4 scrapes.</summary>
    private const string RateInterval = "1m";

    private const int TokensPerTile = 16;

    public static TheoryData<string> Dashboards => [.. DashboardFiles.All.Select(p => Path.GetFileName(p))];

    [Theory]
    [MemberData(nameof(Dashboards))]
    public async Task Every_panel_query_of_the_dashboard_returns_data_after_traffic(string dashboard)
    {
        var failures = new List<string>();
        var queries = 0;
        foreach (var (panel, expr) in DashboardFiles.Queries(Path.Combine(DashboardFiles.Directory, dashboard)))
        {
            queries++;
            var result = await cluster.Prometheus.QueryAsync(expr.Replace("$__rate_interval", RateInterval, StringComparison.Ordinal));
            if (result.Error is not null || result.Samples.Count == 0)
            {
                failures.Add($"{panel}: {expr} -> {result.Error ?? "no data"}");
            }
        }

        Assert.True(queries >= 10, $"{dashboard} has only {queries} queries");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Every_rule_is_loaded_healthy_and_has_data_after_traffic()
    {
        var rules = await cluster.Prometheus.RulesAsync();
        Assert.Contains(rules, r => r.Kind == "alerting");
        var failures = new List<string>();
        foreach (var rule in rules)
        {
            if (rule.Health == "err")
            {
                failures.Add($"{rule.Name}: evaluation failed: {rule.LastError}");
            }

            var whole = await cluster.Prometheus.QueryAsync(rule.Query);
            if (whole.Error is not null)
            {
                failures.Add($"{rule.Name}: {rule.Query} -> {whole.Error}");
            }

            // An alert's expression is empty while it does not fire; its signal (left of the threshold) must have data.
            var signal = rule.Kind == "alerting" ? PromQl.Signal(rule.Query) : rule.Query;
            var data = await cluster.Prometheus.QueryAsync(signal);
            if (data.Error is not null || data.Samples.Count == 0)
            {
                failures.Add($"{rule.Name}: {signal} -> {data.Error ?? "no data"}");
            }

            if (rule.Kind == "recording" && (await cluster.Prometheus.QueryAsync(rule.Name)).Samples.Count == 0)
            {
                failures.Add($"{rule.Name}: the recorded series is missing");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(
            ["EpdKvCacheNearlyFull", "EpdRequestErrorsHigh", "EpdRoleWithoutWorker", "EpdSloAttainmentLow", "EpdTargetDown", "EpdTimePerOutputTokenAboveSlo", "EpdTimeToFirstTokenAboveSlo", "EpdTokenCacheHitRatioCollapsed"],
            rules.Where(r => r.Kind == "alerting").Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Request_counts_and_latency_histograms_grew_by_the_requests_sent()
    {
        var n = cluster.Requests.Count;
        Assert.Equal(n, cluster.Delta("sum(epd_requests_total{status=\"success\"})"));
        Assert.Equal(1, cluster.Delta("sum(epd_requests_total{status=\"invalid\"})"));
        Assert.Equal(0, cluster.Delta("sum(epd_requests_total{status!~\"success|invalid\"})"));
        Assert.Equal(n, cluster.Delta("sum(epd_time_to_first_token_seconds_count)"));
        Assert.Equal(n, cluster.Delta("sum(epd_time_per_output_token_seconds_count)"));
        Assert.Equal(n, cluster.Delta("sum(epd_e2e_request_latency_seconds_count)"));
        Assert.Equal(n, cluster.Delta("sum(epd_request_queue_time_seconds_count)"));

        // One inter-token gap per token after the first.
        Assert.Equal(cluster.Requests.Sum(r => r.Result.CompletionTokens - 1), cluster.Delta("sum(epd_inter_token_latency_seconds_count)"));
    }

    [Fact]
    public void Token_counters_add_up_to_the_usage_of_the_responses()
    {
        var usage = cluster.Requests.Select(r => r.Result).ToList();
        Assert.Equal(usage.Sum(u => u.PromptTokens), cluster.Delta("sum(epd_prompt_tokens_total)"));
        Assert.Equal(usage.Sum(u => u.CompletionTokens), cluster.Delta("sum(epd_generation_tokens_total)"));
        Assert.Equal(usage.Sum(u => u.CachedTokens), cluster.Delta("sum(epd_cached_prompt_tokens_total)"));

        // Each image was sent twice; the second time all its tokens came from the cache, so that count is its size.
        var imageA = Usage("image A again").CachedTokens;
        var imageB = Usage("image B again").CachedTokens;
        Assert.True(imageA > 0 && imageB > 0, "the repeated images were cache hits");
        Assert.Equal(0, Usage("image A").CachedTokens);
        Assert.Equal(2 * (imageA + imageB), cluster.Delta("sum(epd_image_tokens_total)"));

        // Tiles: every tile missed once and hit once.
        var tiles = (imageA + imageB) / TokensPerTile;
        Assert.Equal(tiles, cluster.Delta("sum(epd_mm_cache_misses_total)"));
        Assert.Equal(tiles, cluster.Delta("sum(epd_mm_cache_hits_total)"));

        // The engines sampled every token the gateway counted (first tokens on prefill, the rest on decode).
        Assert.Equal(usage.Sum(u => u.CompletionTokens), cluster.Delta("sum(epd_engine_generated_tokens_total)"));
    }

    [Fact]
    public void Every_stage_and_kv_transfer_of_the_requests_was_measured()
    {
        var n = cluster.Requests.Count;
        Assert.Equal(4, cluster.Delta("sum(epd_stage_duration_seconds_count{stage=\"encode\"})"));
        Assert.Equal(n, cluster.Delta("sum(epd_stage_duration_seconds_count{stage=\"prefill\"})"));
        Assert.Equal(n, cluster.Delta("sum(epd_stage_duration_seconds_count{stage=\"decode\"})"));
        Assert.Equal(n, cluster.Delta("sum(epd_kv_reservations_total{result=\"granted\"})"));
        Assert.Equal(n, cluster.Delta("sum(epd_kv_transfer_duration_seconds_count{transport=\"direct\"})"));
        Assert.Equal(4, cluster.Delta("sum(epd_mm_cache_image_reads_total{result=\"hit\"})"));

        // Whole KV blocks went over the direct channel: at least one block per request, a block being 16 tokens × 4 layers × K,V × 2 heads × 32 × 4 bytes.
        const int BytesPerBlock = 16 * 4 * 2 * 2 * 32 * 4;
        var bytes = cluster.Delta("sum(epd_kv_transfer_bytes_total{transport=\"direct\"})");
        Assert.Equal(0, bytes % BytesPerBlock);
        Assert.InRange(bytes, n * BytesPerBlock, double.MaxValue);
    }

    [Fact]
    public async Task Every_process_is_a_target_and_reports_its_role()
    {
        var targets = await cluster.Prometheus.TargetsAsync();
        Assert.Equal(["decode-1", "encode-1", "gateway", "prefill-1"], targets.Select(t => t.Labels["process"]).Order(StringComparer.Ordinal));

        var roles = await cluster.Prometheus.QueryAsync("epd_worker_role == 1");
        Assert.Equal(["decode-1=decode", "encode-1=encode", "prefill-1=prefill"], roles.Samples.Select(s => $"{s.Labels["worker"]}={s.Labels["role"]}").Order(StringComparer.Ordinal));

        var workers = await cluster.Prometheus.QueryAsync("epd_cluster_workers");
        Assert.All(workers.Samples, s => Assert.Equal(1, s.Value));
        Assert.Equal(3, workers.Samples.Count);

        // Orleans' and the runtime's own meters are exported too.
        Assert.NotEmpty((await cluster.Prometheus.QueryAsync("{__name__=~\"orleans_.+\", process=\"decode-1\"}")).Samples);
        Assert.NotEmpty((await cluster.Prometheus.QueryAsync("dotnet_gc_collections_total{process=\"gateway\"}")).Samples);
    }

    [Fact]
    public async Task Responses_carry_a_request_id_and_keep_a_well_formed_caller_id()
    {
        using var own = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Launcher.GatewayUrl, "/v1/models"));
        own.Headers.Add("x-request-id", "trace-42.a:b");
        using var echoed = await cluster.Http.SendAsync(own);
        Assert.Equal("trace-42.a:b", Assert.Single(echoed.Headers.GetValues("x-request-id")));

        using var hostile = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Launcher.GatewayUrl, "/v1/models"));
        hostile.Headers.TryAddWithoutValidation("x-request-id", "a b<script>");
        using var replaced = await cluster.Http.SendAsync(hostile);
        Assert.Matches("^req_[0-9a-f]{24}$", Assert.Single(replaced.Headers.GetValues("x-request-id")));
    }

    private ChatResult Usage(string name) => cluster.Requests.Single(r => r.Name == name).Result;
}
