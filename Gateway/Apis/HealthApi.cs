using EpdCluster.Gateway.OpenAi;
using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EpdCluster.Gateway.Apis;

internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth);
        app.MapGet("/ready", GetReadiness);
        return app;
    }

    /// <summary><c>GET /health</c>: the gateway process is alive and serving HTTP.</summary>
    private static Ok<HealthStatus> GetHealth() => TypedResults.Ok(new HealthStatus("ok"));

    /// <summary><c>GET /ready</c>: 200 when the backend can serve, else 503 with an error object saying why.</summary>
    private static async Task<Results<Ok<ReadyStatus>, OpenAiErrorResult>> GetReadiness(IGenerationBackend backend, ServedModel model, CancellationToken cancellationToken)
    {
        var status = await backend.GetStatusAsync(cancellationToken);
        return status.IsReady
            ? TypedResults.Ok(new ReadyStatus("ready", model.Id))
            : OpenAiErrors.Unavailable(status.Message ?? "The backend is not ready.", status.Code ?? BackendUnavailableException.NoWorkersCode).ToResult();
    }

    internal sealed record HealthStatus(string Status);

    internal sealed record ReadyStatus(string Status, string Model);
}
