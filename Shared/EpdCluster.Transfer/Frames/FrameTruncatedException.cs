namespace EpdCluster.Transfer.Frames;

/// <summary>The stream or value ended inside a frame.</summary>
public sealed class FrameTruncatedException(string message) : FrameException(message);
