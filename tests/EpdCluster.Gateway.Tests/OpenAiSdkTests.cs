using System.ClientModel;
using System.Text;
using EpdTokenizer = EpdCluster.Engine.Text.EpdTokenizer;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace EpdCluster.Gateway.Tests;

/// <summary>The official OpenAI SDK against the real gateway: what a client application sees.</summary>
public sealed class OpenAiSdkTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    /// <summary>epd-tiny: each 224-pixel tile becomes 16 prompt tokens after pixel shuffle.</summary>
    private const int TokensPerTile = 16;

    /// <summary>448 × 224 has aspect 2, so InternVL's rule picks a 2 × 1 grid (max 6 tiles), plus a thumbnail: 3 tiles.</summary>
    private const int WideImageTiles = 3;

    private const string Question = "What is in this picture?";

    private readonly ChatClient _chat = new(
        GatewayFixture.ModelId,
        new ApiKeyCredential(GatewayFixture.ApiKey),
        new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseAddress, "/v1") });

    [Fact]
    public async Task Chat_with_an_image_answers_with_usage_that_counts_16_tokens_per_tile()
    {
        ChatCompletion completion = await _chat.CompleteChatAsync([WideImageQuestion()], Greedy(maxTokens: 8));

        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.Equal(GatewayFixture.ModelId, completion.Model);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Contains(completion.FinishReason, new[] { ChatFinishReason.Length, ChatFinishReason.Stop });
        Assert.Equal(ExpectedPromptTokens(Question, WideImageTiles), completion.Usage.InputTokenCount);
        Assert.InRange(completion.Usage.OutputTokenCount, 1, 8);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
        Assert.Equal(0, completion.Usage.InputTokenDetails.CachedTokenCount);
        Assert.InRange((DateTimeOffset.UtcNow - completion.CreatedAt).Duration(), TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Streaming_chat_with_an_image_streams_the_same_text_as_the_whole_answer()
    {
        ChatCompletion whole = await _chat.CompleteChatAsync([WideImageQuestion()], Greedy(maxTokens: 10));

        var text = new StringBuilder();
        var finishReasons = new List<ChatFinishReason>();
        var ids = new HashSet<string>();
        ChatTokenUsage? usage = null;
        await foreach (var update in _chat.CompleteChatStreamingAsync([WideImageQuestion()], Greedy(maxTokens: 10)))
        {
            ids.Add(update.CompletionId);
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            if (update.FinishReason is { } reason)
            {
                finishReasons.Add(reason);
            }

            usage ??= update.Usage;
        }

        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal([whole.FinishReason], finishReasons);
        Assert.Single(ids);
        Assert.NotNull(usage);
        Assert.Equal(whole.Usage.InputTokenCount, usage.InputTokenCount);
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Max_tokens_ends_the_answer_with_finish_reason_length()
    {
        ChatCompletion completion = await _chat.CompleteChatAsync([new UserChatMessage("Tell me a long story.")], Greedy(maxTokens: 3));

        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(3, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task A_stop_sequence_cuts_the_text_before_it_finishes_with_stop_and_ends_generation()
    {
        ChatMessage[] messages = [new UserChatMessage("Count to twenty.")];
        ChatCompletion baseline = await _chat.CompleteChatAsync(messages, Greedy(maxTokens: 16));
        var text = baseline.Content[0].Text;
        Assert.True(text.Length >= 12, $"the baseline answer is too short to cut: '{text}'");

        // A stop string from the first third of the text: generation must end long before 16 tokens.
        var stop = text.Substring(text.Length / 3, 3);
        var options = Greedy(maxTokens: 16);
        options.StopSequences.Add(stop);
        ChatCompletion stopped = await _chat.CompleteChatAsync(messages, options);

        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], stopped.Content.Count == 0 ? string.Empty : stopped.Content[0].Text);
        Assert.True(stopped.Usage.OutputTokenCount < baseline.Usage.OutputTokenCount, $"{stopped.Usage.OutputTokenCount} tokens generated despite the stop");
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_text_and_temperature_zero_is_deterministic()
    {
        ChatMessage[] messages = [new UserChatMessage("Write a poem.")];

        var seeded = await TextAsync(messages, Sampled(seed: 42));
        var seededAgain = await TextAsync(messages, Sampled(seed: 42));
        var otherSeed = await TextAsync(messages, Sampled(seed: 43));
        var greedy = await TextAsync(messages, Greedy(maxTokens: 16));
        var greedyAgain = await TextAsync(messages, Greedy(maxTokens: 16));

        Assert.Equal(seeded, seededAgain);
        Assert.NotEqual(seeded, otherSeed);
        Assert.Equal(greedy, greedyAgain);
    }

    [Fact]
    public async Task The_model_client_lists_the_served_model_and_404s_an_unknown_one()
    {
        var models = new OpenAIModelClient(new ApiKeyCredential(GatewayFixture.ApiKey), new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseAddress, "/v1") });

        OpenAIModelCollection list = await models.GetModelsAsync();
        OpenAIModel model = await models.GetModelAsync(GatewayFixture.ModelId);
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync("gpt-4o"));

        var listed = Assert.Single(list);
        Assert.Equal(GatewayFixture.ModelId, listed.Id);
        Assert.Equal("epd-cluster", listed.OwnedBy);
        Assert.Equal(GatewayFixture.ModelId, model.Id);
        Assert.Equal(404, missing.Status);
    }

    /// <summary>
    /// The ChatML prompt counted from the tokenizer alone: <c>&lt;|im_start|&gt;user\n</c>, the text, 16 tokens per
    /// tile, <c>&lt;|im_end|&gt;\n</c>, then <c>&lt;|im_start|&gt;assistant\n</c>.
    /// </summary>
    private static int ExpectedPromptTokens(string text, int tiles)
    {
        int Count(string s) => EpdTokenizer.Shared.EncodeText(s).Length;
        const int controlTokens = 3; // im_start, im_end, im_start
        return controlTokens + Count("user") + Count("\n") + Count(text) + (tiles * TokensPerTile) + Count("\n") + Count("assistant") + Count("\n");
    }

    private static UserChatMessage WideImageQuestion() => new(
        ChatMessageContentPart.CreateTextPart(Question),
        ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(TestImages.Png(448, 224)), "image/png"));

    private static ChatCompletionOptions Greedy(int maxTokens) => new() { Temperature = 0, MaxOutputTokenCount = maxTokens };

    private static ChatCompletionOptions Sampled(long seed)
    {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the API has it.
        return new ChatCompletionOptions { Temperature = 1, MaxOutputTokenCount = 16, Seed = seed };
#pragma warning restore OPENAI001
    }

    private async Task<string> TextAsync(ChatMessage[] messages, ChatCompletionOptions options)
    {
        ChatCompletion completion = await _chat.CompleteChatAsync(messages, options);
        return completion.Content.Count == 0 ? string.Empty : completion.Content[0].Text;
    }
}
