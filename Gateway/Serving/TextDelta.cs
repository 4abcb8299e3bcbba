namespace EpdCluster.Gateway.Serving;

/// <summary>
/// Text that is safe to send, and on the last delta of a request the OpenAI finish reason (<c>stop</c> or
/// <c>length</c>) and how many tokens the backend generated.
/// </summary>
internal readonly record struct TextDelta(string Text, string? FinishReason, int CompletionTokens)
{
    public const string Stop = "stop";
    public const string Length = "length";

    public bool IsLast => FinishReason is not null;
}
