using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// A real cluster (redis-server, one encode, prefill and decode silo, the gateway) started with
/// <c>./epd up --with-prometheus --scrape-interval 1s</c>, and one round of traffic through the gateway: a warm-up
/// request, a snapshot of the counters in Prometheus, then <see cref="Requests"/> (text, and two images twice each)
/// plus one invalid request, and a wait until every target was scraped twice after the last of them.
/// </summary>
public sealed class ObservedClusterFixture : IAsyncLifetime
{
    /// <summary>Sums taken before and after the traffic, by the PromQL expression.</summary>
    public static readonly string[] Counters =
    [
        "sum(epd_requests_total{status=\"success\"})",
        "sum(epd_requests_total{status=\"invalid\"})",
        "sum(epd_requests_total{status!~\"success|invalid\"})",
        "sum(epd_prompt_tokens_total)",
        "sum(epd_image_tokens_total)",
        "sum(epd_cached_prompt_tokens_total)",
        "sum(epd_generation_tokens_total)",
        "sum(epd_time_to_first_token_seconds_count)",
        "sum(epd_time_per_output_token_seconds_count)",
        "sum(epd_e2e_request_latency_seconds_count)",
        "sum(epd_inter_token_latency_seconds_count)",
        "sum(epd_request_queue_time_seconds_count)",
        "sum(epd_mm_cache_hits_total)",
        "sum(epd_mm_cache_misses_total)",
        "sum(epd_stage_duration_seconds_count{stage=\"encode\"})",
        "sum(epd_stage_duration_seconds_count{stage=\"prefill\"})",
        "sum(epd_stage_duration_seconds_count{stage=\"decode\"})",
        "sum(epd_kv_transfer_bytes_total{transport=\"direct\"})",
        "sum(epd_kv_transfer_duration_seconds_count{transport=\"direct\"})",
        "sum(epd_kv_reservations_total{result=\"granted\"})",
        "sum(epd_engine_generated_tokens_total)",
        "sum(epd_mm_cache_image_reads_total{result=\"hit\"})",
    ];

    private const int MaxTokens = 5;
    private static readonly TimeSpan ScrapeWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ScrapesAfterTraffic = TimeSpan.FromSeconds(2.5);

    public EpdLauncher Launcher { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    internal PrometheusApi Prometheus { get; private set; } = null!;

    /// <summary>The requests of the measured round, each with its usage and whether its image was seen before.</summary>
    internal List<(string Name, ChatResult Result)> Requests { get; } = [];

    public Dictionary<string, double> Before { get; } = [];

    public Dictionary<string, double> After { get; } = [];

    public double Delta(string counter) => After[counter] - Before[counter];

    public async ValueTask InitializeAsync()
    {
        await Launcher.UpAsync("--with-prometheus", "--scrape-interval", "1s",
            "--set", "Epd:Metrics:ScrapeResponseCacheMilliseconds=0", "--set", "Epd:Metrics:DirectoryPollInterval=00:00:01");
        Prometheus = new PrometheusApi(Http, new Uri(File.ReadAllText(Path.Combine(Launcher.StateDirectory, "run", "prometheus.url")).Trim()));
        var gateway = Launcher.GatewayUrl;

        // Histogram series appear with their first observation: one request first, so rates see the real ones grow.
        await ChatClient.CompleteAsync(Http, gateway, ChatClient.Request([ChatClient.User("Warm up.", TestImages.DataUrl(120, 90, seed: 500))], MaxTokens));
        await WaitForScrapesAsync(DateTimeOffset.UtcNow);
        foreach (var counter in Counters)
        {
            Before[counter] = await Prometheus.ScalarAsync(counter);
        }

        var first = TestImages.DataUrl(500, 300, seed: 501);
        var second = TestImages.DataUrl(300, 700, seed: 502);
        (string Name, JsonObject Request)[] round =
        [
            ("text 1", ChatClient.Request([ChatClient.User("Say something about metrics.")], MaxTokens)),
            ("image A", ChatClient.Request([ChatClient.User("What is this?", first)], MaxTokens)),
            ("image B", ChatClient.Request([ChatClient.User("Describe it.", second)], MaxTokens + 2)),
            ("image A again", ChatClient.Request([ChatClient.User("And the colours?", first)], MaxTokens)),
            ("text 2", ChatClient.Request([ChatClient.User("A second question, a little longer than the first one.")], MaxTokens + 3)),
            ("image B again", ChatClient.Request([ChatClient.User("Once more.", second)], MaxTokens)),
        ];
        foreach (var (name, request) in round)
        {
            Requests.Add((name, await ChatClient.CompleteAsync(Http, gateway, request)));
        }

        using (var invalid = await Http.PostAsJsonAsync(new Uri(gateway, "/v1/chat/completions"), new JsonObject { ["model"] = "no-such-model", ["messages"] = new JsonArray() }))
        {
            Assert.Equal(404, (int)invalid.StatusCode);
        }

        await WaitForScrapesAsync(DateTimeOffset.UtcNow + ScrapesAfterTraffic);
        foreach (var counter in Counters)
        {
            After[counter] = await Prometheus.ScalarAsync(counter);
        }
    }

    /// <summary>Waits until every target is up and was last scraped after <paramref name="since"/>.</summary>
    private async Task WaitForScrapesAsync(DateTimeOffset since)
    {
        using var timeout = new CancellationTokenSource(ScrapeWait);
        while (true)
        {
            var targets = await Prometheus.TargetsAsync();
            if (targets.Count == 4 && targets.All(t => t.Health == "up" && t.LastScrape > since))
            {
                return;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Prometheus did not scrape every target after {since:O}: " +
                    string.Join("; ", targets.Select(t => $"{t.Labels["process"]} {t.Health} {t.LastScrape:O} {t.LastError}")) + "\n" + Launcher.ReadLogs());
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        Launcher.Dispose();
        return ValueTask.CompletedTask;
    }
}
