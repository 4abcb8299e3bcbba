namespace EpdCluster.Gateway.OpenAi;

/// <summary>Answers 401 before the endpoint runs when API keys are configured and the request has no valid one.</summary>
internal sealed class ApiKeyFilter(ApiKeyValidator validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        validator.Check(context.HttpContext.Request) is { } refusal ? refusal.ToResult() : await next(context);
}
