using EpdCluster.Testing;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using EpdCluster.Gateway.Apis;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EpdCluster.Gateway.Tests;

/// <summary>
/// The real gateway, composed exactly as Program.cs does, in all-in-one mode on a free loopback port with Kestrel,
/// the epd-tiny dummy weights and a 32 MiB KV cache; API key <see cref="ApiKey"/> required on /v1. One per test class.
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    public const string ApiKey = "test-key-5b1e";
    public const string ModelId = "epd-tiny";

    private const long KvCacheBytes = 32L * 1024 * 1024;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(100);

    private WebApplication? _app;

    /// <summary>Where every gateway of the test run finds (or writes once) the dummy weights.</summary>
    public static string ModelCacheDirectory { get; } = Path.Combine(Path.GetTempPath(), "epd-gateway-tests", "models");

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client that sends the API key.</summary>
    public HttpClient Http { get; private set; } = null!;

    internal WebApplication App => _app ?? throw new InvalidOperationException("The gateway is not started.");

    internal EmbeddedBackend Backend => App.Services.GetRequiredService<EmbeddedBackend>();

    internal AdmissionController Admission => App.Services.GetRequiredService<AdmissionController>();

    /// <summary>A client without credentials, for the 401 tests.</summary>
    public HttpClient CreateAnonymousClient() => new() { BaseAddress = BaseAddress };

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
            ["Epd:Model:CacheDirectory"] = ModelCacheDirectory,

            // API behaviour (max_tokens, stops, seeds, streaming) needs a model that keeps talking: the trained epd-tiny
            // ends its turn after a word or two. Its answers are checked in the training and cluster tests.
            ["Epd:Model:LoadFormat"] = "Dummy",
            ["Epd:Engine:KvCacheBytes"] = KvCacheBytes.ToString(CultureInfo.InvariantCulture),
            ["Epd:Cluster:SiloPort"] = LoopbackPorts.Reserve().ToString(CultureInfo.InvariantCulture),
            ["Epd:Cluster:GatewayPort"] = LoopbackPorts.Reserve().ToString(CultureInfo.InvariantCulture),
            ["Epd:Gateway:ApiKeys:0"] = ApiKey,
        };
        foreach (var (key, value) in ExtraSettings())
        {
            settings[key] = value;
        }

        // The same composition as Gateway/Program.cs.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. settings.Select(s => $"--{s.Key}={s.Value}")],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddEpdGateway();
        _app = builder.Build();
        _app.UseRequestTelemetry();
        _app.UseOpenAiErrors();
        _app.MapHealthApi();
        _app.MapMetricsApi();
        _app.MapAdminApi();
        _app.MapOpenAiApi();
        await _app.StartAsync();

        BaseAddress = new Uri(_app.Urls.Single());
        Http = new HttpClient { BaseAddress = BaseAddress };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        await WaitUntilReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, CancellationToken cancellationToken = default) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);

    /// <summary>Settings a derived fixture adds or overrides (configuration keys, as on the command line).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings() => [];


    private async Task WaitUntilReadyAsync()
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while (true)
        {
            using var response = await Http.GetAsync("/ready", timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(ReadyPollInterval, timeout.Token);
        }
    }
}
