namespace EpdCluster.Transfer.Kv;

/// <summary>A KV transfer failed: the receiver answered Error (the reason is its message), or the connection broke.</summary>
public sealed class KvTransferException : IOException
{
    public KvTransferException(long requestId, string message)
        : base(message)
    {
        RequestId = requestId;
    }

    public KvTransferException(long requestId, string message, Exception innerException)
        : base(message, innerException)
    {
        RequestId = requestId;
    }

    public long RequestId { get; }

    /// <summary>The connection broke (as opposed to the receiver answering Error): the receiver never acknowledged.</summary>
    public bool ConnectionLost { get; init; }
}
