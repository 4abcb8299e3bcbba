using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Kv;

/// <summary>
/// The receiving host's side of the direct channel (a decode worker). The server calls it from one connection's read
/// loop at a time per transfer, in frame order; different connections may call it concurrently.
/// </summary>
public interface IKvTransferSink
{
    /// <summary>
    /// Where this frame's payload should land (at least <see cref="FrameHeader.PayloadLength"/> bytes; use
    /// <see cref="FrameHeader.Offset"/> and <see cref="FrameHeader.Shape"/> to place it), or a refusal — e.g. an
    /// unknown request id, no reserved blocks. A refused transfer's remaining frames are skipped and the sender gets
    /// an Error with the reason.
    /// </summary>
    ValueTask<KvFrameTarget> GetTargetAsync(FrameHeader header, CancellationToken cancellationToken);

    /// <summary>All frames of the transfer landed with valid checksums. The Ack is sent when this returns; an exception sends an Error instead.</summary>
    ValueTask OnTransferCompletedAsync(long requestId, CancellationToken cancellationToken);

    /// <summary>
    /// A transfer that started will not complete: refused, a checksum mismatch, the connection lost, the sender gave
    /// up. Bytes already written to its targets are garbage. Called at most once per started transfer.
    /// </summary>
    void OnTransferFailed(long requestId, string reason);
}
