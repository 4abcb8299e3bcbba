namespace EpdCluster.Engine.Text;

/// <summary>One chat turn: a role and its content parts in order (an empty list renders an empty turn).</summary>
public sealed record ChatMessage(ChatRole Role, IReadOnlyList<ChatContentPart> Parts)
{
    /// <summary>A message whose content is a single text part.</summary>
    public ChatMessage(ChatRole role, string text)
        : this(role, [ChatContentPart.FromText(text)])
    {
    }

    public IReadOnlyList<ChatContentPart> Parts { get; init; } = Parts ?? throw new ArgumentNullException(nameof(Parts));
}
