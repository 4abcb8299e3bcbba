using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Switching;

internal sealed partial class RoleSwitcher
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} draining to switch roles {From} -> {To}")]
    private static partial void LogDraining(ILogger logger, string workerId, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} switched roles {From} -> {To}: drained in {DrainMs:0} ms, total {TotalMs:0} ms, {Migrated} decoding requests moved (longest pause {PauseMs:0.0} ms)")]
    private static partial void LogSwitched(ILogger logger, string workerId, string from, string to, double drainMs, double totalMs, int migrated, double pauseMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} could not switch roles {From} -> {To} and keeps its roles: {Reason}")]
    private static partial void LogSwitchFailed(ILogger logger, string workerId, string from, string to, string reason);
}
