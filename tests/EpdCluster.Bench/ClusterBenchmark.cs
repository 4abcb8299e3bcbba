using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EpdCluster.Testing;
using SkiaSharp;

namespace EpdCluster.Bench;

/// <summary>
/// <c>./epd bench cluster</c>: TTFT and TPOT of the same streamed requests through a disaggregated cluster
/// (1 encode, 1 prefill, 1 decode process) and through the all-in-one aggregated engine, started side by side in
/// the same run; ratios cluster ÷ aggregated.
/// </summary>
internal static class ClusterBenchmark
{
    private const int OutputTokens = 32;

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Contains("--quick") ? 3 : 8;
        using var cluster = new EpdLauncher();
        using var aggregated = new EpdLauncher();
        BenchReport.Progress("starting a disaggregated cluster and an all-in-one gateway");
        await Task.WhenAll(cluster.UpAsync(), aggregated.UpAsync("--all-in-one"));
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };

        var samples = new Dictionary<string, List<double>>();
        void Add(string name, double value) => (samples.TryGetValue(name, out var list) ? list : samples[name] = []).Add(value);

        for (var round = -1; round < rounds; round++)
        {
            BenchReport.Progress(round < 0 ? "warm-up" : $"round {round + 1}/{rounds}");
            var image = ImageUrl(seed: 1000 + round); // a new image each round: no token-cache hits in the comparison
            foreach (var (target, name) in new[] { (cluster, "cluster"), (aggregated, "aggregated") })
            {
                var text = await StreamAsync(http, target.GatewayUrl, Request("Write a short story about a lighthouse keeper.", null));
                var withImage = await StreamAsync(http, target.GatewayUrl, Request("What is in this picture?", image));
                if (round < 0)
                {
                    continue;
                }

                Add($"{name}_text_ttft", text.TtftMs);
                Add($"{name}_text_tpot", text.TpotMs);
                Add($"{name}_image_ttft", withImage.TtftMs);
                Add($"{name}_image_tpot", withImage.TpotMs);
            }

            if (round >= 0)
            {
                Add("cluster_cached_image_ttft", (await StreamAsync(http, cluster.GatewayUrl, Request("Once more: what is in it?", image))).TtftMs);
            }
        }

        double Median(string name) => samples[name].Order().ElementAt(samples[name].Count / 2);
        foreach (var kind in new[] { "text", "image" })
        {
            foreach (var metric in new[] { "ttft", "tpot" })
            {
                BenchReport.Figure($"cluster_{kind}_{metric}_ms", Median($"cluster_{kind}_{metric}"));
                BenchReport.Figure($"aggregated_{kind}_{metric}_ms", Median($"aggregated_{kind}_{metric}"));
                BenchReport.Figure($"{kind}_{metric}_cluster_vs_aggregated", Median($"cluster_{kind}_{metric}") / Median($"aggregated_{kind}_{metric}"));
            }
        }

        BenchReport.Figure("cluster_cached_image_ttft_ms", Median("cluster_cached_image_ttft"), "same image again: encoding skipped");
        BenchReport.Figure("cached_vs_uncached_image_ttft", Median("cluster_cached_image_ttft") / Median("cluster_image_ttft"));
        return 0;
    }

    private static JsonObject Request(string text, string? imageUrl)
    {
        JsonNode content = imageUrl is null
            ? text
            : new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }, new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = imageUrl } });
        return new JsonObject
        {
            ["model"] = "epd-tiny",
            ["temperature"] = 0,
            ["max_tokens"] = OutputTokens,
            ["ignore_eos"] = true,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
        };
    }

    /// <summary>TTFT = first content chunk; TPOT = (last − first content chunk) / (completion tokens − 1).</summary>
    private static async Task<(double TtftMs, double TpotMs)> StreamAsync(HttpClient http, Uri gateway, JsonObject request)
    {
        var started = Stopwatch.GetTimestamp();
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/v1/chat/completions")) { Content = JsonContent.Create(request) };
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double? first = null;
        double last = 0;
        var tokens = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            var chunk = JsonNode.Parse(line[6..])!;
            if (chunk["usage"] is JsonObject usage)
            {
                tokens = usage["completion_tokens"]!.GetValue<int>();
            }

            if (chunk["choices"] is JsonArray { Count: > 0 } choices && choices[0]!["delta"]?["content"] is not null)
            {
                last = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                first ??= last;
            }
        }

        return (first ?? 0, tokens > 1 ? (last - first!.Value) / (tokens - 1) : 0);
    }

    private static string ImageUrl(int seed)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(640, 480);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            using var paint = new SKPaint { Color = new SKColor((byte)random.Next(256), 40, 200) };
            canvas.DrawCircle(random.Next(640), random.Next(480), 120, paint);
        }

        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return "data:image/png;base64," + Convert.ToBase64String(png.ToArray());
    }
}
