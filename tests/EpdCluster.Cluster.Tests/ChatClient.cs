using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EpdCluster.Cluster.Tests;

/// <summary>Greedy chat completions over raw HTTP, returning the text and the usage the gateway reported.</summary>
internal static class ChatClient
{
    public static JsonObject Request(IEnumerable<JsonNode> messages, int maxTokens) => new()
    {
        ["model"] = "epd-tiny",
        ["temperature"] = 0,
        ["max_tokens"] = maxTokens,
        ["ignore_eos"] = true,
        ["messages"] = new JsonArray([.. messages]),
    };

    public static JsonNode User(string text, params string[] imageUrls) => Message("user", text, imageUrls);

    public static JsonNode Message(string role, string text, params string[] imageUrls)
    {
        if (imageUrls.Length == 0)
        {
            return new JsonObject { ["role"] = role, ["content"] = text };
        }

        var parts = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text });
        foreach (var url in imageUrls)
        {
            parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } });
        }

        return new JsonObject { ["role"] = role, ["content"] = parts };
    }

    public static async Task<ChatResult> CompleteAsync(HttpClient http, Uri gateway, JsonObject request)
    {
        using var response = await http.PostAsJsonAsync(new Uri(gateway, "/v1/chat/completions"), request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} from {gateway}: {body}");
        }

        var json = JsonNode.Parse(body)!;
        var usage = json["usage"]!;
        return new ChatResult(
            json["choices"]![0]!["message"]!["content"]!.GetValue<string>(),
            json["choices"]![0]!["finish_reason"]!.GetValue<string>(),
            usage["prompt_tokens"]!.GetValue<int>(),
            usage["completion_tokens"]!.GetValue<int>(),
            usage["prompt_tokens_details"]!["cached_tokens"]!.GetValue<int>());
    }
}

internal sealed record ChatResult(string Text, string FinishReason, int PromptTokens, int CompletionTokens, int CachedTokens);
