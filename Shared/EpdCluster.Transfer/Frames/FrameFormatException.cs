namespace EpdCluster.Transfer.Frames;

/// <summary>A header that is not a frame header, or whose lengths are outside the configured limits.</summary>
public sealed class FrameFormatException : FrameException
{
    public FrameFormatException(string message)
        : base(message)
    {
    }

    public FrameFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
