namespace EpdCluster.Gateway.Serving;

internal sealed partial class CompletionPipeline
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request with 503: the backend is not ready ({Code})")]
    private static partial void LogBackendNotReady(ILogger logger, string? code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request with 429: {MaxRunning} running and {MaxQueued} queued requests are the limit")]
    private static partial void LogQueueFull(ILogger logger, int maxRunning, int maxQueued);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} refused by the backend with {Status} ({Code})")]
    private static partial void LogRefused(ILogger logger, string requestId, int status, string? code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request {RequestId} started: {PromptTokens} prompt tokens, {Images} images, max_tokens {MaxTokens}")]
    private static partial void LogStarted(ILogger logger, string requestId, int promptTokens, int images, int maxTokens);
}
