using System.Net.Http.Headers;
using EpdCluster.Gateway.Apis;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EpdCluster.Gateway.Tests;

/// <summary>
/// A small in-process host: the OpenAI API (the same AddOpenAiApi, UseOpenAiErrors and MapOpenAiApi as the
/// gateway) over a backend the test chooses, without Orleans or a model.
/// </summary>
public abstract class InProcessGatewayHost : IAsyncLifetime
{
    private WebApplication? _app;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The host's services (its meter factory, for metric assertions).</summary>
    internal IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The host is not started.");

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddSingleton(CreateBackend());
        builder.AddOpenAiApi(new GatewayOptions { EmbeddedWorker = false, ApiKeys = [GatewayFixture.ApiKey] });
        _app = builder.Build();
        _app.UseRequestTelemetry();
        _app.UseOpenAiErrors();
        _app.MapHealthApi();
        _app.MapOpenAiApi();
        MapTestRoutes(_app);
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.ApiKey);
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

    internal abstract IGenerationBackend CreateBackend();

    protected virtual void MapTestRoutes(WebApplication app)
    {
    }
}
