namespace EpdCluster.Engine.Text;

/// <summary>An image, by its position in the request's image list.</summary>
public sealed record ChatImagePart : ChatContentPart
{
    public ChatImagePart(int imageIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imageIndex);
        ImageIndex = imageIndex;
    }

    public int ImageIndex { get; }
}
