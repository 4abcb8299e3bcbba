namespace EpdCluster.Gateway.Apis;

internal static class HealthApi
{
    /// <summary><c>GET /health</c>: the gateway process is alive and serving HTTP.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Ok(new HealthStatus("ok")));
        return app;
    }

    internal sealed record HealthStatus(string Status);
}
