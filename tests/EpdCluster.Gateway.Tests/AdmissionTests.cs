using System.Net;
using System.Text;

namespace EpdCluster.Gateway.Tests;

/// <summary>Admission through the real gateway: one running slot, no queue.</summary>
public sealed class AdmissionTests(QueueLimitedGatewayFixture gateway) : IClassFixture<QueueLimitedGatewayFixture>
{
    private const string ShortChat = """{"model":"epd-tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""";

    [Fact]
    public async Task A_request_beyond_running_plus_queued_gets_429_with_retry_after_and_is_served_once_the_slot_frees()
    {
        using (var holder = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions"))
        {
            holder.Content = new StringContent(
                """{"model":"epd-tiny","messages":[{"role":"user","content":"Talk forever."}],"max_tokens":4000,"ignore_eos":true,"stream":true}""",
                Encoding.UTF8,
                "application/json");
            using var holding = await gateway.Http.SendAsync(holder, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await holding.Content.ReadAsStreamAsync();
            using var reader = new StreamReader(stream);
            Assert.StartsWith("data: ", await reader.ReadLineAsync());
            Assert.Equal(1, gateway.Admission.Running);

            using var refused = await gateway.PostJsonAsync("/v1/chat/completions", ShortChat);
            using var refusedLegacy = await gateway.PostJsonAsync("/v1/completions", """{"model":"epd-tiny","prompt":"Hi","max_tokens":2}""");

            var error = await ErrorAssert.IsErrorAsync(refused, HttpStatusCode.TooManyRequests, "queue_full");
            await ErrorAssert.IsErrorAsync(refusedLegacy, HttpStatusCode.TooManyRequests, "queue_full");
            Assert.Equal("rate_limit_exceeded", error.GetProperty("type").GetString());
            Assert.Equal(TimeSpan.FromSeconds(QueueLimitedGatewayFixture.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        }

        await Poll.UntilAsync(() => gateway.Admission.Running, running => running == 0);
        using var served = await gateway.PostJsonAsync("/v1/chat/completions", ShortChat);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Invalid_requests_are_refused_before_they_take_a_slot()
    {
        using var invalid = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"epd-tiny","messages":[]}""");

        await ErrorAssert.IsErrorAsync(invalid, HttpStatusCode.BadRequest, "invalid_value", "messages");
        Assert.Equal(0, gateway.Admission.Running);
        Assert.Equal(0, gateway.Admission.Queued);
    }
}
