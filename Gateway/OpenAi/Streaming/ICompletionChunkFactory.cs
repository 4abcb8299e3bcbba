using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.OpenAi.Streaming;

/// <summary>The events of one endpoint's stream: chat chunks or legacy completion chunks.</summary>
internal interface ICompletionChunkFactory
{
    /// <summary>The event sent before any text (chat: the role delta), or null.</summary>
    object? Opening(CompletionRun run);

    object Text(CompletionRun run, string text);

    /// <summary>The one event that carries the finish reason.</summary>
    object Finish(CompletionRun run, string finishReason);

    /// <summary>The usage event, with empty <c>choices</c> (only when <c>stream_options.include_usage</c>).</summary>
    object Usage(CompletionRun run, int completionTokens);
}
