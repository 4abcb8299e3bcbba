using EpdCluster.Gateway.OpenAi;
using EpdCluster.Gateway.OpenAi.Contracts;
using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EpdCluster.Gateway.Apis;

internal static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/models", ListModels);

        // A catch-all, since model ids may contain '/' (Hugging Face names).
        app.MapGet("/models/{*id}", GetModel);
        return app;
    }

    /// <summary><c>GET /v1/models</c>: the one model this deployment serves.</summary>
    private static JsonHttpResult<ModelList> ListModels(ServedModel model) => TypedResults.Json(new ModelList([Card(model)]), OpenAiJson.Options);

    /// <summary><c>GET /v1/models/{id}</c>: the model, or 404.</summary>
    private static Results<JsonHttpResult<ModelCard>, OpenAiErrorResult> GetModel(string id, ServedModel model) =>
        string.Equals(id, model.Id, StringComparison.Ordinal)
            ? TypedResults.Json(Card(model), OpenAiJson.Options)
            : OpenAiErrors.ModelNotFound(id).ToResult();

    private static ModelCard Card(ServedModel model) => new(model.Id, model.CreatedUnixSeconds, ServedModel.Owner);
}
