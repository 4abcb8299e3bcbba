namespace EpdCluster.Engine.Text;

/// <summary>Text typed by a participant; always encoded as plain text.</summary>
public sealed record ChatTextPart : ChatContentPart
{
    public ChatTextPart(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    public string Text { get; }
}
