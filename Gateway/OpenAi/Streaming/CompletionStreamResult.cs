using System.Buffers;
using System.Text.Json;
using EpdCluster.Gateway.Serving;
using Microsoft.AspNetCore.Http.Features;

namespace EpdCluster.Gateway.OpenAi.Streaming;

/// <summary>
/// Writes a run as server-sent events: each event is <c>data: {json}\n\n</c>, flushed at once, and the stream
/// ends with <c>data: [DONE]</c>. A failure after the first event is sent as one <c>data: {"error": …}</c> event,
/// and the stream ends without <c>[DONE]</c>.
/// </summary>
internal sealed partial class CompletionStreamResult(CompletionRun run, ICompletionChunkFactory chunks, bool includeUsage) : IResult
{
    public const string ContentType = "text/event-stream; charset=utf-8";

    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        var logger = httpContext.RequestServices.GetRequiredService<ILogger<CompletionStreamResult>>();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            if (chunks.Opening(run) is { } opening)
            {
                await WriteEventAsync(response, opening, cancellationToken);
            }

            await foreach (var delta in run.ReadAllAsync(cancellationToken))
            {
                if (delta.Text.Length > 0)
                {
                    await WriteEventAsync(response, chunks.Text(run, delta.Text), cancellationToken);
                }

                if (delta.FinishReason is { } finishReason)
                {
                    await WriteEventAsync(response, chunks.Finish(run, finishReason), cancellationToken);
                    if (includeUsage)
                    {
                        await WriteEventAsync(response, chunks.Usage(run, delta.CompletionTokens), cancellationToken);
                    }

                    LogFinished(logger, run.Id, finishReason, run.PromptTokens, delta.CompletionTokens);
                }
            }

            response.BodyWriter.Write(DoneEvent);
            await response.BodyWriter.FlushAsync(cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            LogClientLeft(logger, run.Id);
        }
        catch (OpenAiException e)
        {
            LogFailedMidStream(logger, run.Id, e.StatusCode, e.Error.Code);
            await TryWriteErrorAsync(response, e.Error, cancellationToken);
        }
        catch (Exception e)
        {
            LogBug(logger, e, run.Id);
            await TryWriteErrorAsync(response, OpenAiErrors.Internal(), cancellationToken);
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, object value, CancellationToken cancellationToken)
    {
        var writer = response.BodyWriter;
        writer.Write(DataPrefix);
        using (var json = new Utf8JsonWriter(writer))
        {
            JsonSerializer.Serialize(json, value, value.GetType(), OpenAiJson.Options);
        }

        writer.Write(EventEnd);
        await writer.FlushAsync(cancellationToken);
    }

    private static async Task TryWriteErrorAsync(HttpResponse response, OpenAiError error, CancellationToken cancellationToken)
    {
        try
        {
            await WriteEventAsync(response, new OpenAiErrorResponse(error), cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The client is gone; there is no one to tell.
        }
    }
}
