using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EpdCluster.Gateway.Tests;

/// <summary>The API over the client-mode backend, plus one route that throws, to see what a real bug looks like from outside.</summary>
public sealed class ClientModeGatewayFixture : InProcessGatewayHost
{
    public const string ThrowingPath = "/test/throws";

    /// <summary>What the throwing route's exception says; it must never reach a client.</summary>
    public const string SecretDetail = "connection string Password=hunter2";

    internal override IGenerationBackend CreateBackend() => new NoWorkersBackend();

    protected override void MapTestRoutes(WebApplication app) =>
        app.MapGet(ThrowingPath, IResult () => throw new InvalidOperationException(SecretDetail));
}
