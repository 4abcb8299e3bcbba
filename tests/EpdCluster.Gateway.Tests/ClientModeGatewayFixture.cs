using System.Net.Http.Headers;
using EpdCluster.Gateway.Apis;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EpdCluster.Gateway.Tests;

/// <summary>
/// A small in-process host with the OpenAI API over the client-mode backend (no Orleans, no model), plus one
/// route that throws, to see what a real bug looks like from outside.
/// </summary>
public sealed class ClientModeGatewayFixture : IAsyncLifetime
{
    public const string ThrowingPath = "/test/throws";

    /// <summary>What the throwing route's exception says; it must never reach a client.</summary>
    public const string SecretDetail = "connection string Password=hunter2";

    private WebApplication? _app;

    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        var options = new GatewayOptions { EmbeddedWorker = false, ApiKeys = [GatewayFixture.ApiKey] };
        builder.Services.AddSingleton<IGenerationBackend, UnavailableBackend>();
        builder.AddOpenAiApi(options);
        _app = builder.Build();
        _app.UseOpenAiErrors();
        _app.MapHealthApi();
        _app.MapOpenAiApi();
        _app.MapGet(ThrowingPath, IResult () => throw new InvalidOperationException(SecretDetail));
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
    }
}
