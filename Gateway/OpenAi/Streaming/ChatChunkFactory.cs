using EpdCluster.Gateway.OpenAi.Contracts;
using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.OpenAi.Streaming;

/// <summary><c>chat.completion.chunk</c> events: role delta, content deltas, an empty delta with the finish reason, usage.</summary>
internal sealed class ChatChunkFactory(string model) : ICompletionChunkFactory
{
    public object? Opening(CompletionRun run) => Chunk(run, new ChatDelta(ChatCompletionMessage.AssistantRole, string.Empty), finishReason: null);

    public object Text(CompletionRun run, string text) => Chunk(run, new ChatDelta(null, text), finishReason: null);

    public object Finish(CompletionRun run, string finishReason) => Chunk(run, new ChatDelta(null, null), finishReason);

    public object Usage(CompletionRun run, int completionTokens) =>
        new ChatCompletionChunk(run.Id, run.Created, model, [], CompletionUsage.Of(run, completionTokens));

    private ChatCompletionChunk Chunk(CompletionRun run, ChatDelta delta, string? finishReason) =>
        new(run.Id, run.Created, model, [new ChatChunkChoice(0, delta, finishReason)]);
}
