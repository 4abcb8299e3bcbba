using System.Net;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Transfer.Kv;

public sealed partial class KvTransferClient
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Connected to KV receiver {EndPoint}")]
    private static partial void LogConnected(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection to KV receiver {EndPoint} was stale ({Reason}); reconnecting")]
    private static partial void LogReconnecting(ILogger logger, IPEndPoint endPoint, string reason);
}
