namespace EpdCluster.Gateway.OpenAi.Streaming;

internal sealed partial class CompletionStreamResult
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Request {RequestId} streamed: finish {FinishReason}, {PromptTokens} prompt + {CompletionTokens} completion tokens")]
    private static partial void LogFinished(ILogger logger, string requestId, string finishReason, int promptTokens, int completionTokens);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: the client disconnected; the request was aborted")]
    private static partial void LogClientLeft(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} failed after streaming began: {Status} ({Code})")]
    private static partial void LogFailedMidStream(ILogger logger, string requestId, int status, string? code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId} failed after streaming began")]
    private static partial void LogBug(ILogger logger, Exception exception, string requestId);
}
