using EpdCluster.LoadTests.Client;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Metrics;

namespace EpdCluster.LoadTests.Tests;

/// <summary>
/// The tool's per-request timings and aggregates against a server whose timing is known. TPOT's denominator is checked
/// exactly (TPOT · (tokens − 1) must equal the sum of the measured gaps), percentiles exactly against the measured values;
/// timing accuracy against the script is checked from below per request (the server is never early) and from above on
/// medians, because a shared 2-core machine can stall any single read by tens of milliseconds.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class StreamMetricsTests
{
    /// <summary>Median overhead allowed on top of a scripted time (scheduling, loopback, a busy machine).</summary>
    private const double LateMs = 8;

    /// <summary>Timers may fire a fraction of a millisecond early; a delayed first read makes a median gap look a little short.</summary>
    private const double EarlyMs = 3;

    /// <summary>Median TTFT lateness allowed: TTFT adds connection handling to the scripted wait.</summary>
    private const double TtftLateMs = 25;

    private const double GapMs = 40;
    private const int Tokens = 5;

    [Fact]
    public async Task Ttft_tpot_itl_and_e2el_match_the_scripted_stream()
    {
        await using var server = await ScriptedChatServer.StartAsync();
        // Request i: TTFT 20 + 10·i ms, then 4 gaps of 40 ms: TPOT 40 ms (32 if divided by n), E2E = TTFT + 160 ms.
        var ttfts = Enumerable.Range(0, 10).Select(i => 20.0 + (10 * i)).ToList();
        var dataset = Harness.Dataset(ttfts.Select(t => PromptScripts.Write(t, Enumerable.Repeat(GapMs, Tokens - 1))), outputTokens: Tokens);

        var execution = await Harness.RunAsync(server, Harness.DatasetWorkload(dataset), new TrafficOptions { NumRequests = 10, MaxConcurrency = 2 });

        Assert.Equal(10, execution.Outcomes.Count);
        foreach (var outcome in execution.Outcomes)
        {
            Assert.True(outcome.Success, outcome.ErrorMessage);
            var scripted = ttfts[outcome.Index];
            AtLeast(scripted - 1, outcome.TtftSeconds!.Value * 1000, $"TTFT of request {outcome.Index}");
            AtLeast(scripted + (GapMs * (Tokens - 1)) - 1, outcome.E2elSeconds * 1000, $"E2E of request {outcome.Index}");
            Assert.Equal(Tokens, outcome.OutputTokens);
            Assert.Equal(Tokens - 1, outcome.ItlSeconds.Count);
            Assert.Equal(outcome.ItlSeconds.Sum() / (Tokens - 1), outcome.TpotSeconds, tolerance: 1e-6); // gaps are whole 100 ns ticks
            Assert.True(outcome.TtftSeconds.Value + outcome.ItlSeconds.Sum() <= outcome.E2elSeconds);
            Assert.Equal(7, outcome.PromptTokens);
        }

        InWindow(0, Median(execution.Outcomes.Select(o => (o.TtftSeconds!.Value * 1000) - ttfts[o.Index])), "median TTFT lateness", late: TtftLateMs, early: 1);

        var summary = StepSummaryCalculator.Summarize(execution.Outcomes, execution.DurationSeconds, slo: null, [50, 90, 99]);
        var ttft = summary.Metric(LatencyMetric.Ttft)!;
        InWindow(GapMs, summary.Metric(LatencyMetric.Tpot)!.MedianMs, "TPOT median");
        InWindow(GapMs, summary.Metric(LatencyMetric.Itl)!.MedianMs, "ITL median");
        Assert.Equal(40, summary.Metric(LatencyMetric.Itl)!.Count);
        Assert.Equal(10 * Tokens, summary.TotalOutputTokens);
        Assert.Equal(70, summary.TotalInputTokens);
        Assert.Equal(summary.Completed / summary.DurationSeconds, summary.RequestThroughput, 6);

        // Percentiles, mean and std against the measured values themselves: nearest rank, within HdrHistogram's 0.1%.
        var measured = execution.Outcomes.Select(o => o.TtftSeconds!.Value * 1000).Order().ToList();
        foreach (var (percentile, rank) in new[] { (50.0, 5), (90.0, 9), (99.0, 10) })
        {
            var expected = measured[rank - 1];
            Assert.InRange(ttft.PercentilesMs[MetricSummary.PercentileKey(percentile)], expected - 0.001, (expected * 1.001) + 0.001);
        }

        Assert.Equal(measured.Average(), ttft.MeanMs, 6);
        Assert.Equal(Math.Sqrt(measured.Select(v => (v - measured.Average()) * (v - measured.Average())).Average()), ttft.StdMs, 6);
        Assert.Equal(measured[0], ttft.MinMs, 6);
        Assert.Equal(measured[^1], ttft.MaxMs, 6);
    }

    [Fact]
    public void Percentiles_are_nearest_rank_within_a_tenth_of_a_percent()
    {
        var histogram = new LatencyHistogram();
        for (var ms = 1; ms <= 1000; ms++)
        {
            histogram.Record(ms / 1000.0);
        }

        Assert.InRange(histogram.PercentileMs(50), 500, 500.5);
        Assert.InRange(histogram.PercentileMs(90), 900, 900.9);
        Assert.InRange(histogram.PercentileMs(99), 990, 990.99);
        Assert.InRange(histogram.PercentileMs(99.9), 999, 999.999);
        Assert.Equal(1000, histogram.PercentileMs(100));
        Assert.Equal(500.5, histogram.MeanMs, 9);
        var cdf = histogram.Cdf();
        Assert.Equal(1.0, cdf[^1].Fraction);
        Assert.True(cdf.Zip(cdf.Skip(1)).All(pair => pair.First.ValueMs <= pair.Second.ValueMs && pair.First.Fraction <= pair.Second.Fraction));
    }

    [Fact]
    public async Task Tpot_divides_by_usage_tokens_when_chunks_carry_several()
    {
        await using var server = await ScriptedChatServer.StartAsync();
        // 3 chunks of 2 tokens, 40 ms apart: usage says 6 tokens, so TPOT = 80 ms / 5 = 16 ms (not 80 / 2 = 40 per chunk,
        // nor 80 / 6 = 13.3).
        var dataset = Harness.Dataset(Enumerable.Repeat(PromptScripts.Write(10, [40, 40], "per-chunk=2"), 5), outputTokens: 6);

        var execution = await Harness.RunAsync(server, Harness.DatasetWorkload(dataset), new TrafficOptions { NumRequests = 5, MaxConcurrency = 1 });

        Assert.All(execution.Outcomes, outcome =>
        {
            Assert.Equal(6, outcome.OutputTokens);
            Assert.Equal(3, outcome.Chunks);
            Assert.Equal(outcome.ItlSeconds.Sum() / 5, outcome.TpotSeconds, tolerance: 1e-6);
        });
        InWindow(16, Median(execution.Outcomes.Select(o => o.TpotSeconds * 1000)), "median TPOT", early: 1);
    }

    [Fact]
    public async Task Without_usage_the_output_tokens_fall_back_to_chunks_and_are_flagged()
    {
        await using var server = await ScriptedChatServer.StartAsync();
        var dataset = Harness.Dataset([PromptScripts.Write(5, [5, 5], "no-usage=1")]);

        var execution = await Harness.RunAsync(server, Harness.DatasetWorkload(dataset), new TrafficOptions { NumRequests = 1 });

        var outcome = Assert.Single(execution.Outcomes);
        Assert.True(outcome.Success);
        Assert.False(outcome.UsageReported);
        Assert.Equal(3, outcome.OutputTokens);
        Assert.Equal(1, StepSummaryCalculator.Summarize(execution.Outcomes, 1, null, [50]).UsageMissing);
    }

    [Fact]
    public async Task Failures_are_counted_by_kind_and_status_and_count_against_attainment()
    {
        await using var server = await ScriptedChatServer.StartAsync();
        var dataset = Harness.Dataset(
        [
            PromptScripts.Write(5, [5, 5]),
            PromptScripts.Write(5, [5, 5]),
            PromptScripts.Write(5, [5], "status=429"),
            PromptScripts.Write(5, [5], "status=429"),
            PromptScripts.Write(5, [5], "status=503"),
            PromptScripts.Write(5, [5, 5], "error-after=1"),
            PromptScripts.Write(5, [5, 5], "cut-after=2"),
        ]);

        var execution = await Harness.RunAsync(server, Harness.DatasetWorkload(dataset), new TrafficOptions { NumRequests = 7, MaxConcurrency = 3 });
        var summary = StepSummaryCalculator.Summarize(execution.Outcomes, execution.DurationSeconds, new ServiceLevelObjectives { TtftMs = 5000 }, [99]);

        Assert.Equal(7, summary.Requests);
        Assert.Equal(2, summary.Completed);
        Assert.Equal(5, summary.Failed);
        Assert.Equal(new Dictionary<string, int> { ["http_status"] = 3, ["stream_error"] = 1, ["incomplete"] = 1 }, summary.ErrorsByKind);
        Assert.Equal(new Dictionary<string, int> { ["429"] = 2, ["503"] = 1 }, summary.ErrorsByStatus);
        Assert.Equal(2, summary.GoodRequests);
        Assert.Equal(2.0 / 7, summary.SloAttainment!.Value, 9);
        Assert.Contains(execution.Outcomes, o => o.Error == RequestErrorKind.HttpStatus && o.ErrorMessage!.Contains("scripted failure"));
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_a_connection_error()
    {
        var port = GetUnusedPort();
        var target = new TargetOptions { BaseUrl = new Uri($"http://127.0.0.1:{port}"), RequestTimeout = TimeSpan.FromSeconds(10) };
        using var http = ChatCompletionClient.CreateHttpClient();
        var client = new ChatCompletionClient(http, target);

        var outcome = await client.SendAsync(0, "{}"u8.ToArray(), 0, 1, System.Diagnostics.Stopwatch.GetTimestamp(), CancellationToken.None);

        Assert.False(outcome.Success);
        Assert.Equal(RequestErrorKind.Connection, outcome.Error);
    }

    [Fact]
    public async Task A_request_past_its_timeout_is_a_timeout()
    {
        await using var server = await ScriptedChatServer.StartAsync(_ => new ResponseScript { TtftMs = 1500 });
        var target = Harness.Target(server);
        target.RequestTimeout = TimeSpan.FromMilliseconds(200);
        using var http = ChatCompletionClient.CreateHttpClient();

        var outcome = await new ChatCompletionClient(http, target).SendAsync(0, "{\"messages\":[{\"content\":\"x\"}]}"u8.ToArray(), 0, 1, System.Diagnostics.Stopwatch.GetTimestamp(), CancellationToken.None);

        Assert.Equal(RequestErrorKind.Timeout, outcome.Error);
        Assert.InRange(outcome.E2elSeconds, 0.19, 2);
    }

    private static void InWindow(double scriptedMs, double measuredMs, string what, double late = LateMs, double early = EarlyMs) =>
        Assert.True(measuredMs >= scriptedMs - early && measuredMs <= scriptedMs + late, $"{what}: measured {measuredMs:0.00} ms, scripted {scriptedMs} ms (allowed -{early}/+{late})");

    private static void AtLeast(double minimumMs, double measuredMs, string what) =>
        Assert.True(measuredMs >= minimumMs, $"{what}: measured {measuredMs:0.00} ms, expected at least {minimumMs:0.00} ms");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int GetUnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
