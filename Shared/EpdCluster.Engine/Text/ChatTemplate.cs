namespace EpdCluster.Engine.Text;

/// <summary>
/// Renders chat messages as ChatML token ids: <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c> per
/// message, then <c>&lt;|im_start|&gt;assistant\n</c> to prompt the reply. Thread-safe.
/// </summary>
/// <remarks>
/// Control tokens are written as ids and each text part is encoded on its own, never as one concatenated
/// string, so message text cannot forge a turn boundary or an image slot. An image part expands to as many
/// <c>&lt;image&gt;</c> ids as the caller says that image needs. A message with no parts renders as an empty
/// turn; an image may be referenced more than once (one span per reference) or not at all.
/// </remarks>
public sealed class ChatTemplate
{
    private const string TurnSeparator = "\n";

    private readonly EpdTokenizer _tokenizer;
    private readonly Dictionary<ChatRole, int[]> _turnHeaders;
    private readonly int[] _turnEnd;

    public ChatTemplate(EpdTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _turnHeaders = Enum.GetValues<ChatRole>().ToDictionary(
            role => role,
            role => (int[])[EpdTokenizer.ImStartId, .. tokenizer.EncodeText(RoleName(role)), .. tokenizer.EncodeText(TurnSeparator)]);
        _turnEnd = [EpdTokenizer.ImEndId, .. tokenizer.EncodeText(TurnSeparator)];
    }

    /// <summary>Renders a text-only conversation; an image part throws, as no image was supplied.</summary>
    public PromptTokens Render(IReadOnlyList<ChatMessage> messages) =>
        Render(messages, imageCount: 0, imageTokenCount: NoImages);

    /// <summary>
    /// Renders <paramref name="messages"/> plus the assistant generation prompt.
    /// </summary>
    /// <param name="messages">At least one message.</param>
    /// <param name="imageCount">How many images the request supplied; image parts index into them.</param>
    /// <param name="imageTokenCount">Placeholder tokens for image i (depends on its tiles); at least 1.</param>
    /// <exception cref="ArgumentException">No messages, a null message, or an image index not supplied.</exception>
    public PromptTokens Render(IReadOnlyList<ChatMessage> messages, int imageCount, Func<int, int> imageTokenCount)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfNegative(imageCount);
        ArgumentNullException.ThrowIfNull(imageTokenCount);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A chat prompt needs at least one message.", nameof(messages));
        }

        var ids = new List<int>();
        var spans = new List<ImageSpan>();
        for (var m = 0; m < messages.Count; m++)
        {
            var message = messages[m] ?? throw new ArgumentException($"Message {m} is null.", nameof(messages));
            if (!_turnHeaders.TryGetValue(message.Role, out var header))
            {
                throw new ArgumentException($"Message {m} has an unknown role ({(int)message.Role}).", nameof(messages));
            }

            ids.AddRange(header);
            foreach (var part in message.Parts)
            {
                switch (part)
                {
                    case ChatTextPart text:
                        ids.AddRange(_tokenizer.EncodeText(text.Text));
                        break;
                    case ChatImagePart image when image.ImageIndex >= imageCount:
                        throw new ArgumentException(
                            $"Message {m} refers to image {image.ImageIndex}, but the request supplied {imageCount} image(s).",
                            nameof(messages));
                    case ChatImagePart image:
                        var count = imageTokenCount(image.ImageIndex);
                        if (count < 1)
                        {
                            throw new ArgumentException(
                                $"Image {image.ImageIndex} was given {count} placeholder tokens; an image needs at least one.",
                                nameof(imageTokenCount));
                        }

                        spans.Add(new ImageSpan(image.ImageIndex, ids.Count, count));
                        ids.AddRange(Enumerable.Repeat(EpdTokenizer.ImageId, count));
                        break;
                    default:
                        throw new ArgumentException($"Message {m} has a null content part.", nameof(messages));
                }
            }

            ids.AddRange(_turnEnd);
        }

        ids.AddRange(_turnHeaders[ChatRole.Assistant]);
        return new PromptTokens([.. ids], [.. spans]);
    }

    /// <summary>The legacy completions prompt: the text's tokens, no template, no images.</summary>
    public PromptTokens RenderCompletionPrompt(string prompt) => new(_tokenizer.EncodeText(prompt), []);

    // Never called: with zero images every image part is refused before its count is asked for.
    private static int NoImages(int imageIndex) =>
        throw new ArgumentOutOfRangeException(nameof(imageIndex), imageIndex, "No images were supplied.");

    private static string RoleName(ChatRole role) => role switch
    {
        ChatRole.System => "system",
        ChatRole.User => "user",
        ChatRole.Assistant => "assistant",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown chat role."),
    };
}
