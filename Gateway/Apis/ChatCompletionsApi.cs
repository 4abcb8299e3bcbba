using System.Text.Json;
using EpdCluster.Engine.Imaging;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.OpenAi;
using EpdCluster.Gateway.OpenAi.Contracts;
using EpdCluster.Gateway.OpenAi.Streaming;
using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EpdCluster.Gateway.Apis;

internal static class ChatCompletionsApi
{
    public const string IdPrefix = "chatcmpl-";

    public static IEndpointRouteBuilder MapChatCompletionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/chat/completions", CreateChatCompletion);
        return app;
    }

    /// <summary><c>POST /v1/chat/completions</c>: one <c>chat.completion</c>, or <c>chat.completion.chunk</c> events when <c>stream</c>.</summary>
    private static async Task<Results<JsonHttpResult<ChatCompletionResponse>, CompletionStreamResult, OpenAiErrorResult>> CreateChatCompletion(
        HttpContext http,
        OpenAiRequestReader reader,
        ServedModel model,
        GatewayLimits limits,
        ImagePreprocessOptions imaging,
        PromptBuilder prompts,
        CompletionPipeline pipeline)
    {
        try
        {
            var request = await reader.ReadAsync<ChatCompletionRequest>(http.Request, http.RequestAborted);
            var maxTokensParam = request.MaxCompletionTokens is null ? "max_tokens" : "max_completion_tokens";
            var settings = GenerationSettings.Read(request, request.MaxCompletionTokens ?? request.MaxTokens, maxTokensParam, model, limits);
            RefuseUnsupported(request);
            var chat = ChatMessagesReader.Read(request.Messages, limits.MaxImagesPerRequest, imaging.MaxImageBytes);
            var run = await pipeline.StartAsync(http, IdPrefix, settings, id => prompts.BuildChat(id, chat, settings));
            if (settings.Stream)
            {
                return new CompletionStreamResult(run, new ChatChunkFactory(model.Id), settings.IncludeUsage);
            }

            var completion = await run.CollectAsync(http.RequestAborted);
            var response = new ChatCompletionResponse(
                run.Id,
                run.Created,
                model.Id,
                [new ChatCompletionChoice(0, new ChatCompletionMessage(completion.Text), completion.FinishReason!)],
                CompletionUsage.Of(run, completion.CompletionTokens));
            return TypedResults.Json(response, OpenAiJson.Options);
        }
        catch (OpenAiException e)
        {
            return e.ToResult();
        }
    }

    /// <summary>Known OpenAI features this server cannot honour are refused rather than silently ignored.</summary>
    private static void RefuseUnsupported(ChatCompletionRequest request)
    {
        if (request.Logprobs == true)
        {
            throw OpenAiErrors.Unsupported("logprobs", "'logprobs' is not supported: this server returns no log probabilities.");
        }

        if (request.TopLogprobs is > 0)
        {
            throw OpenAiErrors.Unsupported("top_logprobs", "'top_logprobs' is not supported: this server returns no log probabilities.");
        }

        if (IsNonEmpty(request.Tools))
        {
            throw OpenAiErrors.Unsupported("tools", "'tools' is not supported: this server has no tool calling.");
        }

        if (IsNonEmpty(request.Functions))
        {
            throw OpenAiErrors.Unsupported("functions", "'functions' is not supported: this server has no tool calling.");
        }

        if (request.ResponseFormat?.Type is { } format && format != "text")
        {
            throw OpenAiErrors.Unsupported("response_format", $"response_format '{format}' is not supported: only 'text' is.");
        }
    }

    private static bool IsNonEmpty(JsonElement? value) => value is { } element && element.ValueKind switch
    {
        JsonValueKind.Null => false,
        JsonValueKind.Array => element.GetArrayLength() > 0,
        _ => true,
    };
}
