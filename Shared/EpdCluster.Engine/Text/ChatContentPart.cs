namespace EpdCluster.Engine.Text;

/// <summary>One piece of a message's content: <see cref="ChatTextPart"/> or <see cref="ChatImagePart"/>.</summary>
public abstract record ChatContentPart
{
    // Closed hierarchy: the template knows how to render exactly these two kinds.
    private protected ChatContentPart()
    {
    }

    public static ChatTextPart FromText(string text) => new(text);

    public static ChatImagePart FromImage(int imageIndex) => new(imageIndex);
}
