using System.Net;
using System.Text;

namespace EpdCluster.Gateway.Tests;

/// <summary>The cluster-client mode before its backend exists: alive, never ready, every completion a clear 503.</summary>
public sealed class ClientModeTests(ClientModeGatewayFixture host) : IClassFixture<ClientModeGatewayFixture>
{
    [Fact]
    public async Task Health_is_ok_but_ready_is_503_saying_no_workers_are_reachable()
    {
        using var health = await host.Http.GetAsync("/health");
        using var ready = await host.Http.GetAsync("/ready");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var error = await ErrorAssert.IsErrorAsync(ready, HttpStatusCode.ServiceUnavailable, "no_workers");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.Contains("No inference workers are reachable", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"epd-tiny","messages":[{"role":"user","content":"Hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"epd-tiny","messages":[{"role":"user","content":"Hi"}],"stream":true}""")]
    [InlineData("/v1/completions", """{"model":"epd-tiny","prompt":"Hi","stream":true}""")]
    public async Task Completions_get_503_as_a_json_error_even_when_streaming_was_asked(string path, string body)
    {
        using var response = await host.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.ServiceUnavailable, "no_workers");
    }

    [Fact]
    public async Task Validation_and_models_still_answer_without_workers()
    {
        using var models = await host.Http.GetAsync("/v1/models");
        using var invalid = await host.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"epd-tiny","messages":[],"n":1}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        await ErrorAssert.IsErrorAsync(invalid, HttpStatusCode.BadRequest, "invalid_value", "messages");
    }

    [Fact]
    public async Task A_real_bug_is_a_500_error_object_that_leaks_nothing()
    {
        using var response = await host.Http.GetAsync(ClientModeGatewayFixture.ThrowingPath);

        var body = await response.Content.ReadAsStringAsync();
        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.InternalServerError, "internal_error");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.DoesNotContain("hunter2", body);
        Assert.DoesNotContain(nameof(InvalidOperationException), body);
    }
}
