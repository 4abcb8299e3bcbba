using System.Globalization;
using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Text;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.OpenAi;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// Turns a validated request into what a backend runs: decodes and preprocesses each image (which also checks
/// its bytes and pixel count), renders the chat template with 16 × tiles placeholders per image, and fits
/// max_tokens into the context. Runs after admission, since image work is the expensive part.
/// </summary>
internal sealed class PromptBuilder(ServedModel model, ImagePreprocessor preprocessor, GatewayLimits limits)
{
    private readonly ChatTemplate _template = new(EpdTokenizer.Shared);

    public GenerationInput BuildChat(string requestId, ParsedChat chat, GenerationSettings settings)
    {
        var images = new PreprocessedImage[chat.Images.Count];
        var hashes = new string[chat.Images.Count];
        for (var i = 0; i < images.Length; i++)
        {
            var image = chat.Images[i];
            var bytes = image.DecodeBytes();
            try
            {
                images[i] = preprocessor.Preprocess(bytes);
            }
            catch (InvalidImageException e)
            {
                throw OpenAiErrors.InvalidRequest($"The image at '{image.Param}' was refused: {e.Message}", image.Param, e.Code);
            }

            hashes[i] = ImageContentHash.Compute(bytes, preprocessor.PreprocessId);
        }

        var prompt = _template.Render(chat.Messages, images.Length, index => images[index].TileCount * model.TokensPerTile);
        return Complete(requestId, prompt, images, hashes, settings, "messages");
    }

    public GenerationInput BuildCompletion(string requestId, string prompt, GenerationSettings settings)
    {
        var tokens = _template.RenderCompletionPrompt(prompt);
        if (tokens.Ids.Length == 0)
        {
            throw OpenAiErrors.InvalidValue("prompt", "the prompt must not be empty.");
        }

        return Complete(requestId, tokens, [], [], settings, "prompt");
    }

    private GenerationInput Complete(string requestId, PromptTokens prompt, PreprocessedImage[] images, string[] hashes, GenerationSettings settings, string promptParam)
    {
        var promptTokens = prompt.Ids.Length;
        var room = model.ContextLength - promptTokens;
        if (settings.MaxTokens is { } requested && requested > room)
        {
            throw ContextLengthExceeded(
                $"However, you requested {promptTokens + requested} tokens ({promptTokens} in the {promptParam}, {requested} in the completion). "
                + $"Please reduce the length of the {promptParam} or {settings.MaxTokensParam}.",
                promptParam);
        }

        if (room < 1)
        {
            throw ContextLengthExceeded($"However, your {promptParam} resulted in {promptTokens} tokens, which leaves no room for a completion.", promptParam);
        }

        var maxTokens = settings.MaxTokens ?? Math.Min(limits.MaxTokensLimit, room);
        return new GenerationInput(requestId, prompt, images, hashes, settings.ToSampling(maxTokens)) { KvCodec = settings.KvCodec };
    }

    private OpenAiException ContextLengthExceeded(string detail, string param) =>
        OpenAiErrors.InvalidRequest(
            string.Create(CultureInfo.InvariantCulture, $"This model's maximum context length is {model.ContextLength} tokens. {detail}"),
            param,
            "context_length_exceeded");
}
