using System.ClientModel;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// Real processes on the simulated engine: the gateway serves the OpenAI API (whole answers and streams) through
/// encode, prefill and decode workers that run no model, with exactly the tokens of an all-in-one process on the same
/// engine; and a decode worker switched mid-traffic moves its requests without losing one.
/// </summary>
public sealed class SimulatedClusterTests(SimulatedClusterFixture fixture) : IClassFixture<SimulatedClusterFixture>
{
    /// <summary>Long enough that requests a heartbeat saw running are still decoding when the switch lands, even on a loaded machine.</summary>
    private const int LongAnswerTokens = 600;

    [Fact]
    public async Task Text_and_image_requests_are_served_end_to_end_with_the_all_in_one_engines_tokens()
    {
        var requests = new[]
        {
            ChatClient.Request([ChatClient.User("Hello there, simulated cluster!")], 24),
            ChatClient.Request([ChatClient.User("What is in these pictures?", TestImages.DataUrl(640, 360, seed: 5), TestImages.DataUrl(300, 300, seed: 6))], 16),
            ChatClient.Request([ChatClient.User("And this one?", TestImages.DataUrl(500, 250, seed: 7))], 32),
        };

        var served = await Task.WhenAll(requests.Select(r => ChatClient.CompleteAsync(fixture.Http, fixture.Cluster.GatewayUrl, r)));
        var reference = await Task.WhenAll(requests.Select(r => ChatClient.CompleteAsync(fixture.Http, fixture.AllInOne.GatewayUrl, r)));

        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(reference[i].Text, served[i].Text);
            Assert.Equal(reference[i].PromptTokens, served[i].PromptTokens);
            Assert.Equal(requests[i]["max_tokens"]!.GetValue<int>(), served[i].CompletionTokens);
            Assert.Equal("length", served[i].FinishReason);
            Assert.False(string.IsNullOrWhiteSpace(served[i].Text));
        }

        Assert.NotEqual(served[1].Text, served[2].Text);
        Assert.True(served[1].PromptTokens > served[0].PromptTokens + 32, "the image tokens count in the prompt");

        var workers = await WorkersAsync();
        Assert.Equal(5, workers.Count);
        Assert.All(workers, w => Assert.Equal(SimulatedClusterFixture.KvBlocks, w["load"]!["totalKvBlocks"]!.GetValue<int>()));
        // Loads arrive with each worker's heartbeat (every second), so the encoders' count may lag the requests.
        await Poll.UntilAsync(async () => (await WorkersAsync()).Where(w => Roles(w).Contains("encode")).Sum(w => w["load"]!["encodedTiles"]!.GetValue<long>()) > 0,
            "no tile was encoded");
        await Poll.UntilAsync(async () => (await WorkersAsync()).All(w => w["load"]!["freeKvBlocks"]!.GetValue<int>() == SimulatedClusterFixture.KvBlocks),
            "KV blocks stayed held after every request finished");
    }

    [Fact]
    public async Task Streaming_through_the_official_sdk_gives_the_whole_answers_text_and_usage()
    {
        var chat = new OpenAI.Chat.ChatClient("epd-tiny", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(fixture.Cluster.GatewayUrl, "/v1") });
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 };
        ChatMessage[] messages = [new UserChatMessage("Stream me a few words.")];

        ChatCompletion whole = await chat.CompleteChatAsync(messages, options);
        var text = new StringBuilder();
        var updates = 0;
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, options))
        {
            updates++;
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.True(updates >= 12, $"{updates} updates for 12 tokens");
        Assert.Equal(ChatFinishReason.Length, whole.FinishReason);
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.NotNull(usage);
        Assert.Equal(12, usage.OutputTokenCount);
        Assert.Equal(whole.Usage.InputTokenCount, usage.InputTokenCount);
    }

    [Fact]
    public async Task A_decode_worker_switched_mid_traffic_loses_no_request()
    {
        var requests = Enumerable.Range(0, 8).Select(i => i % 4 == 0
            ? ChatClient.Request([ChatClient.User($"Describe picture {i}.", TestImages.DataUrl(320 + (20 * i), 240, seed: 70 + i))], LongAnswerTokens)
            : ChatClient.Request([ChatClient.User($"Story {i}: " + string.Join(' ', Enumerable.Repeat("more", 5 + (i * 9))))], LongAnswerTokens))
            .ToList();
        var before = await WorkerAsync("decode-1");
        Assert.Equal(["decode"], Roles(before));

        var running = requests.Select(r => ChatClient.CompleteAsync(fixture.Http, fixture.Cluster.GatewayUrl, r)).ToList();
        await Poll.UntilAsync(async () => (await WorkerAsync("decode-1"))["load"]!["runningRequests"]!.GetValue<int>() >= 1, "decode-1 never ran a request");
        var report = await SwitchAsync("decode-1", "prefill");
        var results = await Task.WhenAll(running);
        var expected = await Task.WhenAll(requests.Select(r => ChatClient.CompleteAsync(fixture.Http, fixture.AllInOne.GatewayUrl, r)));

        Assert.True(report["succeeded"]!.GetValue<bool>(), report.ToJsonString());
        Assert.True(report["migratedRequests"]!.GetValue<int>() >= 1, $"nothing moved: {report.ToJsonString()}");
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(expected[i].Text, results[i].Text);
            Assert.Equal(LongAnswerTokens, results[i].CompletionTokens);
        }

        var switched = await WorkerAsync("decode-1");
        Assert.Equal(["prefill"], Roles(switched));
        Assert.False(switched["draining"]!.GetValue<bool>());
        await Poll.UntilAsync(async () => (await WorkerAsync("decode-1"))["load"]!["freeKvBlocks"]!.GetValue<int>() == SimulatedClusterFixture.KvBlocks,
            "decode-1 kept KV blocks after its requests moved");

        // Back to decode, so the cluster's split is what the other tests expect.
        var back = await SwitchAsync("decode-1", "decode");
        Assert.True(back["succeeded"]!.GetValue<bool>(), back.ToJsonString());
    }

    private async Task<JsonNode> SwitchAsync(string workerId, string role)
    {
        using var response = await fixture.Http.PostAsJsonAsync(new Uri(fixture.Cluster.GatewayUrl, $"/admin/workers/{workerId}/role"), new { role });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}\n{fixture.Cluster.ReadLogs()}");
        return JsonNode.Parse(body)!;
    }

    private async Task<List<JsonNode>> WorkersAsync()
    {
        var cluster = JsonNode.Parse(await fixture.Http.GetStringAsync(new Uri(fixture.Cluster.GatewayUrl, "/admin/cluster")))!;
        return [.. cluster["workers"]!.AsArray().Select(w => w!)];
    }

    private async Task<JsonNode> WorkerAsync(string workerId) =>
        (await WorkersAsync()).Single(w => w["workerId"]!.GetValue<string>() == workerId);

    private static List<string> Roles(JsonNode worker) => [.. worker["roles"]!.AsArray().Select(r => r!.GetValue<string>())];
}
