using System.Diagnostics;
using System.Text;
using EpdCluster.Engine.Serving;
using EpdCluster.Gateway.Apis;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EpdCluster.Bench;

/// <summary>
/// <c>./epd bench gateway</c>: what the gateway path itself costs. The real OpenAI API (parsing, validation, template,
/// admission, detokenization, response) over a trivial backend that returns fixed tokens at once, against a minimal
/// ASP.NET endpoint that returns a fixed completion body — same Kestrel, same client, same run.
/// </summary>
internal static class GatewayBenchmark
{
    private const int Concurrency = 16;
    private const string Body = """{"model":"epd-tiny","max_tokens":8,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say something about lighthouses."}]}""";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Contains("--quick") ? 2.0 : 5.0;
        await using var gateway = await StartAsync(gatewayPath: true);
        await using var minimal = await StartAsync(gatewayPath: false);
        using var http = new HttpClient();

        var gatewayUrl = new Uri(new Uri(gateway.Urls.Single()), "/v1/chat/completions");
        var minimalUrl = new Uri(new Uri(minimal.Urls.Single()), "/v1/chat/completions");
        await DriveAsync(http, gatewayUrl, 1); // warm-up: JIT, connections
        await DriveAsync(http, minimalUrl, 1);

        // Interleave the two targets so drift in machine load hits both alike.
        var g = new List<double>();
        var m = new List<double>();
        double gatewayRequests = 0, minimalRequests = 0, gatewayTime = 0, minimalTime = 0;
        for (var round = 0; round < 2; round++)
        {
            BenchReport.Progress($"round {round + 1}/2");
            var (gl, gs) = await DriveAsync(http, gatewayUrl, seconds / 2);
            var (ml, ms) = await DriveAsync(http, minimalUrl, seconds / 2);
            g.AddRange(gl);
            m.AddRange(ml);
            gatewayRequests += gl.Count;
            gatewayTime += gs;
            minimalRequests += ml.Count;
            minimalTime += ms;
        }

        g.Sort();
        m.Sort();
        double P(List<double> xs, double q) => xs[Math.Min(xs.Count - 1, (int)(q * xs.Count))];
        BenchReport.Figure("gateway_requests_per_s", gatewayRequests / gatewayTime);
        BenchReport.Figure("minimal_endpoint_requests_per_s", minimalRequests / minimalTime);
        BenchReport.Figure("gateway_p50_ms", P(g, 0.5));
        BenchReport.Figure("gateway_p99_ms", P(g, 0.99));
        BenchReport.Figure("minimal_endpoint_p50_ms", P(m, 0.5));
        BenchReport.Figure("minimal_endpoint_p99_ms", P(m, 0.99));
        BenchReport.Figure("gateway_added_p50_ms", P(g, 0.5) - P(m, 0.5));
        BenchReport.Figure("gateway_added_p99_ms", P(g, 0.99) - P(m, 0.99));
        BenchReport.Figure("gateway_vs_minimal_endpoint", (gatewayRequests / gatewayTime) / (minimalRequests / minimalTime), "throughput ratio, same client and concurrency");
        return 0;
    }

    private static async Task<WebApplication> StartAsync(bool gatewayPath)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=None"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (gatewayPath)
        {
            builder.Services.AddSingleton<IGenerationBackend>(new FixedTokensBackend());
            builder.AddOpenAiApi(new GatewayOptions { EmbeddedWorker = false });
        }

        var app = builder.Build();
        if (gatewayPath)
        {
            app.UseOpenAiErrors();
            app.MapOpenAiApi();
        }
        else
        {
            var response = Encoding.UTF8.GetBytes("""{"object":"chat.completion","id":"chatcmpl-0","created":0,"model":"epd-tiny","choices":[{"index":0,"message":{"role":"assistant","content":" the the the the the the the the"},"finish_reason":"length"}],"usage":{"prompt_tokens":20,"completion_tokens":8,"total_tokens":28}}""");
            app.MapPost("/v1/chat/completions", async (HttpContext context) =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null);
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(response);
            });
        }

        await app.StartAsync();
        return app;
    }

    /// <summary>Closed loop: <see cref="Concurrency"/> clients send back to back for the given time.</summary>
    private static async Task<(List<double> LatenciesMs, double Seconds)> DriveAsync(HttpClient http, Uri url, double seconds)
    {
        var latencies = new List<double>();
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var t = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(url, new StringContent(Body, Encoding.UTF8, "application/json"));
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
            }
        }));
        return (latencies, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>The trivial engine: eight fixed tokens, no compute.</summary>
    private sealed class FixedTokensBackend : IGenerationBackend
    {
        private const int Token = 262; // " the" in GPT-2's vocabulary

        public ValueTask<BackendStatus> GetStatusAsync(CancellationToken cancellationToken) => ValueTask.FromResult(BackendStatus.Ready);

        public async IAsyncEnumerable<GeneratedToken> GenerateAsync(GenerationInput input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            for (var i = 0; i < input.Sampling.MaxTokens; i++)
            {
                yield return new GeneratedToken(Token, i, i == input.Sampling.MaxTokens - 1 ? FinishReason.Length : null);
            }
        }
    }
}
