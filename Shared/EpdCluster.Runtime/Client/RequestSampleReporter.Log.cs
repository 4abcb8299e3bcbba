using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Client;

public sealed partial class RequestSampleReporter
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report {Count} request samples to the scheduler: {Reason}")]
    private static partial void LogReportFailed(ILogger logger, int count, string reason);
}
