namespace EpdCluster.Transfer.Frames;

/// <summary>A frame could not be read: its bytes are damaged, truncated or out of bounds. Never carries a payload.</summary>
public class FrameException : IOException
{
    public FrameException(string message)
        : base(message)
    {
    }

    public FrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
