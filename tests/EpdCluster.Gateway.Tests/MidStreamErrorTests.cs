using System.Net;
using System.Text;
using System.Text.Json;

namespace EpdCluster.Gateway.Tests;

/// <summary>A failure after streaming began cannot change the status any more: it becomes one SSE error event.</summary>
public sealed class MidStreamErrorTests(AbortingBackendGatewayFixture host) : IClassFixture<AbortingBackendGatewayFixture>
{
    private const string StreamingChat = """{"model":"epd-tiny","messages":[{"role":"user","content":"Hi"}],"stream":true,"stream_options":{"include_usage":true}}""";

    [Fact]
    public async Task An_abort_after_the_first_text_is_sent_as_an_error_event_and_the_stream_ends_without_done()
    {
        using var response = await host.Http.PostAsync("/v1/chat/completions", new StringContent(StreamingChat, Encoding.UTF8, "application/json"));
        var payloads = ServerSentEvents.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(ServerSentEvents.Done, payloads);
        var chunks = payloads[..^1].Select(p => JsonDocument.Parse(p).RootElement).ToList();
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(
            AbortingBackendGatewayFixture.TextBeforeAbort,
            string.Concat(chunks.Skip(1).Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString())));
        Assert.All(chunks, c => Assert.Equal(JsonValueKind.Null, c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));

        var error = ErrorAssert.IsErrorObject(payloads[^1]);
        Assert.Equal("request_aborted", error.GetProperty("code").GetString());
        Assert.Equal("server_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Without_streaming_the_same_abort_is_a_503()
    {
        using var response = await host.Http.PostAsync("/v1/chat/completions", new StringContent(StreamingChat.Replace("\"stream\":true,\"stream_options\":{\"include_usage\":true}", "\"stream\":false", StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.ServiceUnavailable, "request_aborted");
    }
}
