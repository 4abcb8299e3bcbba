using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Transfer.Kv;

public sealed partial class KvTransferServer
{
    [LoggerMessage(Level = LogLevel.Information, Message = "KV transfer server listening on {EndPoint}")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "KV transfer server could not accept a connection: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "KV sender connected from {Remote}")]
    internal static partial void LogConnectionOpened(ILogger logger, EndPoint? remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "KV sender {Remote} disconnected")]
    internal static partial void LogConnectionClosed(ILogger logger, EndPoint? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "KV transfer {RequestId} from {Remote} failed: {Reason}")]
    internal static partial void LogTransferFailed(ILogger logger, long requestId, EndPoint? remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "KV sender {Remote} broke the frame protocol; closing the connection")]
    internal static partial void LogProtocolError(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "KV transfer sink threw while handling {What} of request {RequestId}")]
    internal static partial void LogSinkFailed(ILogger logger, string what, long requestId, Exception exception);
}
