using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Switching;

internal sealed partial class DecodeMigrator
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Moved request {RequestId} from {Worker} to {Target}: {Generated} tokens generated, {Blocks} KV blocks, paused {PauseMs:0.0} ms (suspend {SuspendMs:0.0} ms, KV transfer {TransferMs:0.0} ms, then adopt and release)")]
    private static partial void LogMoved(ILogger logger, long requestId, string worker, string target, int generated, int blocks, double pauseMs, double suspendMs, double transferMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moving request {RequestId} from {Worker} to {Target} failed ({Reason}); it continues here")]
    private static partial void LogMoveFailed(ILogger logger, long requestId, string worker, string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Direct KV transfer of moved request {RequestId} to {Endpoint} failed ({Reason}); falling back to Redis")]
    private static partial void LogDirectFailed(ILogger logger, long requestId, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {Worker} has {Requests} decoding requests to move but no other decode worker takes work")]
    private static partial void LogNoTarget(ILogger logger, string worker, int requests);
}
