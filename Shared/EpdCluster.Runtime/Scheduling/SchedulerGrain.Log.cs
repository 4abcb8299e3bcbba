using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Scheduling;

internal sealed partial class SchedulerGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler active: TTFT SLO {TtftSlo} s, TPOT SLO {TpotSlo} s, window {Window} s, cooldown {Cooldown} s, automatic moves {Automatic}")]
    private static partial void LogStarted(ILogger logger, double ttftSlo, double tpotSlo, double window, double cooldown, bool automatic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler decision ({Trigger}): move {WorkerId} {From} -> {To} (executed: {Executed}): {Reason}")]
    private static partial void LogMove(ILogger logger, string trigger, string workerId, string from, string to, bool executed, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduler decision: hold ({Code}): {Reason}")]
    private static partial void LogHold(ILogger logger, string code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Role switch of {WorkerId} {From} -> {To} done in {Seconds:0.000} s, {Migrated} decoding requests moved")]
    private static partial void LogSwitched(ILogger logger, string workerId, string from, string to, double seconds, int migrated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Role switch of {WorkerId} to {To} failed: {Reason}")]
    private static partial void LogSwitchFailed(ILogger logger, string workerId, string to, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Automatic role moves {Enabled}")]
    private static partial void LogAutomatic(ILogger logger, bool enabled);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler evaluation skipped: the worker directory did not answer ({Reason})")]
    private static partial void LogEvaluationFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler state restored from {Store}, saved at {SavedUtc:o}: {Samples} window samples, {Decisions} decisions, automatic moves {Automatic}")]
    private static partial void LogRestored(ILogger logger, string store, DateTime savedUtc, int samples, int decisions, bool automatic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler state could not be read from {Store} ({Reason}); starting from the settings")]
    private static partial void LogRestoreFailed(ILogger logger, string store, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler state could not be saved to {Store} ({Reason}); the next save tries again")]
    private static partial void LogSaveFailed(ILogger logger, string store, string reason);
}
