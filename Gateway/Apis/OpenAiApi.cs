using EpdCluster.Gateway.OpenAi;

namespace EpdCluster.Gateway.Apis;

internal static class OpenAiApi
{
    public const string Prefix = "/v1";

    /// <summary>The OpenAI-compatible routes under <c>/v1</c>, behind the API key check.</summary>
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup(Prefix).AddEndpointFilter<ApiKeyFilter>();
        v1.MapChatCompletionsApi();
        v1.MapCompletionsApi();
        v1.MapModelsApi();
        return app;
    }
}
