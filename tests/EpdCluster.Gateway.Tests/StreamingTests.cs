using System.Net;
using System.Text;
using System.Text.Json;

namespace EpdCluster.Gateway.Tests;

/// <summary>The SSE wire format byte by byte with a raw HTTP client, and what a disconnecting client leaves behind.</summary>
public sealed class StreamingTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Chat_stream_sends_role_first_then_content_one_finish_chunk_usage_and_done()
    {
        var body = ChatBody(stream: true, includeUsage: true, maxTokens: 8);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", body);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = ServerSentEvents.ParseJsonEvents(text);
        Assert.True(events.Count >= 4, text);

        // Same id and created everywhere, every event a chunk.
        Assert.All(events, e => Assert.Equal("chat.completion.chunk", e.GetProperty("object").GetString()));
        Assert.Single(events.Select(e => e.GetProperty("id").GetString()).Distinct());
        Assert.Single(events.Select(e => e.GetProperty("created").GetInt64()).Distinct());
        Assert.StartsWith("chatcmpl-", events[0].GetProperty("id").GetString());

        var role = Assert.Single(events[0].GetProperty("choices").EnumerateArray());
        Assert.Equal("assistant", role.GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, role.GetProperty("finish_reason").ValueKind);

        var withChoices = events.Where(e => e.GetProperty("choices").GetArrayLength() == 1).ToList();
        var finishing = Assert.Single(withChoices, e => e.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind != JsonValueKind.Null);
        Assert.Equal(finishing.ToString(), withChoices[^1].ToString());
        Assert.Contains(finishing.GetProperty("choices")[0].GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        Assert.Empty(finishing.GetProperty("choices")[0].GetProperty("delta").EnumerateObject());
        Assert.All(withChoices, e => Assert.False(e.TryGetProperty("usage", out _)));

        var usage = events[^1];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        var completionTokens = usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        Assert.InRange(completionTokens, 1, 8);
        Assert.Equal(
            usage.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() + completionTokens,
            usage.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        // The streamed text is exactly the non-streamed answer (greedy).
        using var whole = await gateway.PostJsonAsync("/v1/chat/completions", ChatBody(stream: false, includeUsage: false, maxTokens: 8));
        var answer = JsonDocument.Parse(await whole.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), StreamedContent(withChoices));
        Assert.Equal(answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), completionTokens);
    }

    [Fact]
    public async Task Without_include_usage_no_usage_chunk_is_sent()
    {
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", ChatBody(stream: true, includeUsage: false, maxTokens: 4));

        var events = ServerSentEvents.ParseJsonEvents(await response.Content.ReadAsStringAsync());

        Assert.All(events, e => Assert.Equal(1, e.GetProperty("choices").GetArrayLength()));
        Assert.All(events, e => Assert.False(e.TryGetProperty("usage", out _)));
        Assert.NotEqual(JsonValueKind.Null, events[^1].GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
    }

    [Fact]
    public async Task Legacy_completion_streams_text_completion_chunks_and_matches_the_whole_answer()
    {
        const string request = """{"model":"epd-tiny","prompt":"Once upon a time","max_tokens":6,"temperature":0,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}""";
        using var streamed = await gateway.PostJsonAsync("/v1/completions", request);
        using var whole = await gateway.PostJsonAsync("/v1/completions", request.Replace("\"stream\":true,\"stream_options\":{\"include_usage\":true}", "\"stream\":false", StringComparison.Ordinal));

        var events = ServerSentEvents.ParseJsonEvents(await streamed.Content.ReadAsStringAsync());
        var answer = JsonDocument.Parse(await whole.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("text_completion", answer.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", answer.GetProperty("id").GetString());
        Assert.Equal("length", answer.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(6, answer.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.All(events, e => Assert.Equal("text_completion", e.GetProperty("object").GetString()));
        Assert.Single(events.Select(e => e.GetProperty("id").GetString()).Distinct());
        var text = string.Concat(events.Where(e => e.GetProperty("choices").GetArrayLength() == 1).Select(e => e.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal(answer.GetProperty("choices")[0].GetProperty("text").GetString(), text);
        Assert.Equal(0, events[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(6, events[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_aborts_its_request_and_frees_its_kv_blocks()
    {
        var idle = await Poll.UntilAsync(() => gateway.Backend.EngineStats!, s => s.Running == 0 && s.Waiting == 0);
        var freeBlocks = idle.FreeBlocks;

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions"))
        {
            request.Content = new StringContent(
                """{"model":"epd-tiny","messages":[{"role":"user","content":"Talk forever."}],"max_tokens":4000,"ignore_eos":true,"stream":true}""",
                Encoding.UTF8,
                "application/json");
            using var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var stream = await response.Content.ReadAsStreamAsync();
            using var reader = new StreamReader(stream);
            var chunks = 0;
            while (chunks < 5 && await reader.ReadLineAsync() is { } line)
            {
                chunks += line.StartsWith("data: ", StringComparison.Ordinal) ? 1 : 0;
            }

            Assert.Equal(5, chunks);
            var busy = gateway.Backend.EngineStats!;
            Assert.Equal(1, busy.Running);
            Assert.True(busy.FreeBlocks < freeBlocks);
        }

        // The response is disposed: the connection is gone, so the request must be aborted long before 4000 tokens.
        var stats = await Poll.UntilAsync(() => gateway.Backend.EngineStats!, s => s.Running == 0 && s.Waiting == 0 && s.FreeBlocks == freeBlocks);
        Assert.Equal(freeBlocks, stats.FreeBlocks);
        Assert.True(stats.GeneratedTokens - idle.GeneratedTokens < 4000, $"{stats.GeneratedTokens - idle.GeneratedTokens} tokens were generated");
        await Poll.UntilAsync(() => gateway.Admission.Running, running => running == 0);
    }

    [Fact]
    public async Task A_stop_string_aborts_the_engine_sequence_instead_of_generating_to_max_tokens()
    {
        const string prompt = "List every number.";
        var baseline = await ContentAsync($$"""{"model":"epd-tiny","messages":[{"role":"user","content":"{{prompt}}"}],"max_tokens":16,"temperature":0,"ignore_eos":true}""");
        var stop = baseline.Substring(baseline.Length / 3, 3);
        var before = await Poll.UntilAsync(() => gateway.Backend.EngineStats!, s => s.Running == 0 && s.Waiting == 0);

        var stopped = await ContentAsync(
            $$"""{"model":"epd-tiny","messages":[{"role":"user","content":"{{prompt}}"}],"max_tokens":4000,"temperature":0,"ignore_eos":true,"stop":{{JsonSerializer.Serialize(stop)}}}""");
        var after = await Poll.UntilAsync(() => gateway.Backend.EngineStats!, s => s.Running == 0 && s.Waiting == 0);

        Assert.Equal(baseline[..baseline.IndexOf(stop, StringComparison.Ordinal)], stopped);
        Assert.Equal(before.FreeBlocks, after.FreeBlocks);

        // The engine stops within a step or two of the stop string, nowhere near 4000 tokens.
        const int abortSlackTokens = 8;
        Assert.InRange(after.GeneratedTokens - before.GeneratedTokens, 1, 16 + abortSlackTokens);
    }

    private async Task<string> ContentAsync(string body)
    {
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", body);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json);
        return JsonDocument.Parse(json).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    private static string ChatBody(bool stream, bool includeUsage, int maxTokens) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["model"] = GatewayFixture.ModelId,
            ["messages"] = new[] { new { role = "user", content = "Describe the sea." } },
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = stream,
            ["stream_options"] = stream ? new { include_usage = includeUsage } : null,
        });

    private static string StreamedContent(IEnumerable<JsonElement> chunks) =>
        string.Concat(chunks.Select(e => e.GetProperty("choices")[0].GetProperty("delta"))
            .Select(delta => delta.TryGetProperty("content", out var content) ? content.GetString() : string.Empty));
}
