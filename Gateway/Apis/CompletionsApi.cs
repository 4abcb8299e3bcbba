using System.Text.Json;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.OpenAi;
using EpdCluster.Gateway.OpenAi.Contracts;
using EpdCluster.Gateway.OpenAi.Streaming;
using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EpdCluster.Gateway.Apis;

internal static class CompletionsApi
{
    public const string IdPrefix = "cmpl-";

    /// <summary>The legacy API's documented default when a request gives no max_tokens.</summary>
    public const int DefaultMaxTokens = 16;

    public static IEndpointRouteBuilder MapCompletionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/completions", CreateCompletion);
        return app;
    }

    /// <summary><c>POST /v1/completions</c>: a <c>text_completion</c> for one prompt string, no chat template.</summary>
    private static async Task<Results<JsonHttpResult<TextCompletionResponse>, CompletionStreamResult, OpenAiErrorResult>> CreateCompletion(
        HttpContext http,
        OpenAiRequestReader reader,
        ServedModel model,
        GatewayLimits limits,
        PromptBuilder prompts,
        CompletionPipeline pipeline)
    {
        try
        {
            var request = await reader.ReadAsync<CompletionRequest>(http.Request, http.RequestAborted);
            var settings = GenerationSettings.Read(request, request.MaxTokens ?? Math.Min(DefaultMaxTokens, limits.MaxTokensLimit), "max_tokens", model, limits);
            var prompt = ReadPrompt(request);
            var run = await pipeline.StartAsync(http, IdPrefix, settings, id => prompts.BuildCompletion(id, prompt, settings));
            if (settings.Stream)
            {
                return new CompletionStreamResult(run, new TextCompletionChunkFactory(model.Id), settings.IncludeUsage);
            }

            var completion = await run.CollectAsync(http.RequestAborted);
            var response = new TextCompletionResponse(
                run.Id,
                run.Created,
                model.Id,
                [new TextCompletionChoice(completion.Text, 0, completion.FinishReason)],
                CompletionUsage.Of(run, completion.CompletionTokens));
            return TypedResults.Json(response, OpenAiJson.Options);
        }
        catch (OpenAiException e)
        {
            return e.ToResult();
        }
    }

    /// <summary>The prompt string; refuses the legacy features this server does not serve.</summary>
    private static string ReadPrompt(CompletionRequest request)
    {
        if (request.Echo == true)
        {
            throw OpenAiErrors.Unsupported("echo", "'echo' is not supported.");
        }

        if (request.Suffix is not null)
        {
            throw OpenAiErrors.Unsupported("suffix", "'suffix' is not supported.");
        }

        if (request.BestOf is > 1)
        {
            throw OpenAiErrors.Unsupported("best_of", "'best_of' above 1 is not supported.");
        }

        if (request.Logprobs is > 0)
        {
            throw OpenAiErrors.Unsupported("logprobs", "'logprobs' is not supported: this server returns no log probabilities.");
        }

        return request.Prompt switch
        {
            null or { ValueKind: JsonValueKind.Null } => throw OpenAiErrors.MissingParameter("prompt"),
            { ValueKind: JsonValueKind.String } prompt => prompt.GetString()!,
            { ValueKind: JsonValueKind.Array } => throw OpenAiErrors.Unsupported("prompt", "Only one prompt string per request is supported: arrays of prompts or of token ids are not."),
            { } other => throw OpenAiErrors.InvalidType("prompt", "a string", OpenAiJson.DescribeKind(other.ValueKind)),
        };
    }
}
