using System.Globalization;
using System.Text.Json;
using EpdCluster.Engine.Text;
using EpdCluster.Gateway.OpenAi.Contracts;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>
/// Validates <c>messages</c> and turns it into engine chat messages. Cheap: images are checked for shape and
/// size only, decoding waits until the request is admitted. Every refusal is a 400 naming the exact parameter.
/// </summary>
internal static class ChatMessagesReader
{
    private const string TextPartType = "text";
    private const string ImagePartType = "image_url";
    private static readonly string[] DetailLevels = ["auto", "low", "high"];

    public static ParsedChat Read(IReadOnlyList<ChatMessageRequest?>? messages, int maxImages, long maxImageBytes)
    {
        if (messages is null)
        {
            throw OpenAiErrors.MissingParameter("messages");
        }

        if (messages.Count == 0)
        {
            throw OpenAiErrors.InvalidValue("messages", "expected at least one message, got an empty array.");
        }

        var images = new List<InlineImage>();
        var parsed = new List<ChatMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var param = Param("messages", i);
            var message = messages[i] ?? throw OpenAiErrors.InvalidType(param, "an object", "null");
            var role = ReadRole(message.Role, param + ".role");
            parsed.Add(new ChatMessage(role, ReadContent(message.Content, role, param + ".content", images, maxImages, maxImageBytes)));
        }

        return new ParsedChat(parsed, images);
    }

    private static ChatRole ReadRole(string? role, string param) => role switch
    {
        null => throw OpenAiErrors.MissingParameter(param),

        // OpenAI's newer name for system instructions.
        "system" or "developer" => ChatRole.System,
        "user" => ChatRole.User,
        "assistant" => ChatRole.Assistant,
        "tool" or "function" => throw OpenAiErrors.Unsupported(param, $"Invalid value for '{param}': '{role}' messages are not supported, as this server has no tool calling."),
        _ => throw OpenAiErrors.InvalidValue(param, $"expected 'system', 'developer', 'user' or 'assistant', got '{role}'."),
    };

    private static List<ChatContentPart> ReadContent(JsonElement? content, ChatRole role, string param, List<InlineImage> images, int maxImages, long maxImageBytes)
    {
        if (content is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            // An assistant turn may have no text (OpenAI allows it alongside tool calls).
            return role == ChatRole.Assistant ? [] : throw OpenAiErrors.MissingParameter(param);
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return [ChatContentPart.FromText(element.GetString()!)];
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw OpenAiErrors.InvalidType(param, "a string or an array of content parts", OpenAiJson.DescribeKind(element.ValueKind));
        }

        var parts = new List<ChatContentPart>();
        var index = 0;
        foreach (var part in element.EnumerateArray())
        {
            parts.Add(ReadPart(part, role, Param(param, index++), images, maxImages, maxImageBytes));
        }

        return parts;
    }

    private static ChatContentPart ReadPart(JsonElement part, ChatRole role, string param, List<InlineImage> images, int maxImages, long maxImageBytes)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            throw OpenAiErrors.InvalidType(param, "an object", OpenAiJson.DescribeKind(part.ValueKind));
        }

        var type = RequiredString(part, "type", param);
        switch (type)
        {
            case TextPartType:
                return ChatContentPart.FromText(RequiredString(part, "text", param));
            case ImagePartType when role != ChatRole.User:
                throw OpenAiErrors.InvalidValue(param, "images are only allowed in user messages.");
            case ImagePartType:
                var imageParam = param + "." + ImagePartType;
                if (!part.TryGetProperty(ImagePartType, out var imageUrl) || imageUrl.ValueKind == JsonValueKind.Null)
                {
                    throw OpenAiErrors.MissingParameter(imageParam);
                }

                if (imageUrl.ValueKind != JsonValueKind.Object)
                {
                    throw OpenAiErrors.InvalidType(imageParam, "an object with a 'url'", OpenAiJson.DescribeKind(imageUrl.ValueKind));
                }

                var detail = OptionalString(imageUrl, "detail", imageParam);
                if (detail is not null && !DetailLevels.Contains(detail))
                {
                    throw OpenAiErrors.InvalidValue(imageParam + ".detail", $"expected 'auto', 'low' or 'high', got '{detail}'.");
                }

                if (images.Count >= maxImages)
                {
                    throw OpenAiErrors.InvalidRequest(
                        string.Create(CultureInfo.InvariantCulture, $"Too many images: at most {maxImages} per request (Epd:Gateway:Limits:MaxImagesPerRequest)."),
                        "messages",
                        "too_many_images");
                }

                images.Add(ImageDataUrl.Parse(RequiredString(imageUrl, "url", imageParam), imageParam, maxImageBytes));
                return ChatContentPart.FromImage(images.Count - 1);
            default:
                throw OpenAiErrors.Unsupported(param + ".type", $"Invalid value for '{param}.type': content parts of type '{type}' are not supported; use 'text' or 'image_url'.");
        }
    }

    private static string RequiredString(JsonElement owner, string name, string ownerParam) =>
        OptionalString(owner, name, ownerParam) ?? throw OpenAiErrors.MissingParameter(ownerParam + "." + name);

    private static string? OptionalString(JsonElement owner, string name, string ownerParam)
    {
        if (!owner.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw OpenAiErrors.InvalidType(ownerParam + "." + name, "a string", OpenAiJson.DescribeKind(value.ValueKind));
    }

    private static string Param(string owner, int index) => string.Create(CultureInfo.InvariantCulture, $"{owner}[{index}]");
}
