namespace EpdCluster.Transfer.Frames;

/// <summary>A frame decoded from one buffer: its header and a slice of that buffer holding the verified payload.</summary>
public readonly record struct ParsedFrame(FrameHeader Header, ReadOnlyMemory<byte> Payload);
