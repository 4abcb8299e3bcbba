namespace EpdCluster.Transfer.Frames;

/// <summary>A payload's XxHash64 differs from its header's: the bytes were damaged on the way and must not be used.</summary>
public sealed class FrameChecksumException(long requestId, int frameIndex, ulong expected, ulong actual)
    : FrameException($"Checksum mismatch in frame {frameIndex} of request {requestId}: header says {expected:x16}, payload hashes to {actual:x16}.")
{
    public long RequestId { get; } = requestId;

    public int FrameIndex { get; } = frameIndex;

    public ulong ExpectedChecksum { get; } = expected;

    public ulong ActualChecksum { get; } = actual;
}
