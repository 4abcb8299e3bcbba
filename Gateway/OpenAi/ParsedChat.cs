using EpdCluster.Engine.Text;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>A validated conversation: engine messages whose image parts index <see cref="Images"/>, still encoded.</summary>
internal sealed record ParsedChat(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<InlineImage> Images);
