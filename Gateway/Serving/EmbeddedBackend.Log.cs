namespace EpdCluster.Gateway.Serving;

internal sealed partial class EmbeddedBackend
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Loading model {Model} for the embedded engine")]
    private static partial void LogLoading(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} loaded in {ElapsedMs:F0} ms: {KvBlocks} KV blocks, context {ContextLength} tokens; ready")]
    private static partial void LogLoaded(ILogger logger, string model, double elapsedMs, int kvBlocks, int contextLength);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Model {Model} failed to load; stopping")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string model);
}
