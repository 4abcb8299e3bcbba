using EpdCluster.Gateway.OpenAi.Contracts;
using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.OpenAi.Streaming;

/// <summary>Legacy <c>text_completion</c> events: text chunks, an empty-text chunk with the finish reason, usage.</summary>
internal sealed class TextCompletionChunkFactory(string model) : ICompletionChunkFactory
{
    public object? Opening(CompletionRun run) => null;

    public object Text(CompletionRun run, string text) => Chunk(run, text, finishReason: null);

    public object Finish(CompletionRun run, string finishReason) => Chunk(run, string.Empty, finishReason);

    public object Usage(CompletionRun run, int completionTokens) =>
        new TextCompletionResponse(run.Id, run.Created, model, [], CompletionUsage.Of(run, completionTokens));

    private TextCompletionResponse Chunk(CompletionRun run, string text, string? finishReason) =>
        new(run.Id, run.Created, model, [new TextCompletionChoice(text, 0, finishReason)], Usage: null);
}
