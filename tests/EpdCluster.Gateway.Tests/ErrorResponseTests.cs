using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace EpdCluster.Gateway.Tests;

/// <summary>Authentication, unknown models and routes, wrong methods and oversized bodies, each with its status and error object.</summary>
public sealed class ErrorResponseTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private const string ValidChat = """{"model":"epd-tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""";

    /// <summary>The default of Epd:Gateway:Limits:MaxRequestBodyBytes.</summary>
    private const int DefaultBodyLimitBytes = 32 * 1024 * 1024;

    [Fact]
    public async Task A_request_without_an_api_key_gets_401_with_a_bearer_challenge()
    {
        using var client = gateway.CreateAnonymousClient();

        using var response = await client.PostAsync("/v1/chat/completions", Json(ValidChat));

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Unauthorized, "missing_api_key");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("Bearer wrong-key")]
    [InlineData("Bearer " + GatewayFixture.ApiKey + "x")]
    [InlineData("Bearer test-key")]
    [InlineData("Basic dGVzdDp0ZXN0")]
    public async Task A_wrong_api_key_gets_401_on_every_v1_route(string authorization)
    {
        using var client = gateway.CreateAnonymousClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        using var chat = await client.PostAsync("/v1/chat/completions", Json(ValidChat));
        using var models = await client.GetAsync("/v1/models");

        var chatError = await ErrorAssert.IsErrorAsync(chat, HttpStatusCode.Unauthorized);
        await ErrorAssert.IsErrorAsync(models, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(GatewayFixture.ApiKey, chatError.ToString());
    }

    [Fact]
    public async Task The_right_api_key_passes_and_health_and_ready_need_none()
    {
        using var client = gateway.CreateAnonymousClient();

        using var health = await client.GetAsync("/health");
        using var ready = await client.GetAsync("/ready");
        using var anonymousModels = await client.GetAsync("/v1/models");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.ApiKey);
        using var models = await client.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousModels.StatusCode);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
    }

    [Fact]
    public async Task An_unknown_model_gets_404_model_not_found()
    {
        using var chat = await gateway.PostJsonAsync("/v1/chat/completions", ValidChat.Replace("epd-tiny", "gpt-4o", StringComparison.Ordinal));
        using var completion = await gateway.PostJsonAsync("/v1/completions", """{"model":"gpt-4o","prompt":"Hi"}""");
        using var model = await gateway.Http.GetAsync("/v1/models/gpt-4o");

        await ErrorAssert.IsErrorAsync(chat, HttpStatusCode.NotFound, "model_not_found", "model");
        await ErrorAssert.IsErrorAsync(completion, HttpStatusCode.NotFound, "model_not_found", "model");
        await ErrorAssert.IsErrorAsync(model, HttpStatusCode.NotFound, "model_not_found");
    }

    [Theory]
    [InlineData("/v1/embeddings")]
    [InlineData("/v1/chat/completions/extra")]
    [InlineData("/v2/chat/completions")]
    [InlineData("/nothing")]
    public async Task An_unknown_route_gets_404_with_an_error_object(string path)
    {
        using var response = await gateway.PostJsonAsync(path, ValidChat);

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.NotFound, "unknown_url");
        Assert.Contains(path, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_wrong_method_gets_405_with_an_error_object()
    {
        using var response = await gateway.Http.GetAsync("/v1/chat/completions");

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public async Task A_body_over_the_default_32_MiB_limit_gets_413()
    {
        // Expect: 100-continue lets the server refuse before the client uploads 32 MiB (curl sends it by itself).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(new string(' ', DefaultBodyLimitBytes + 1)) };
        request.Headers.ExpectContinue = true;

        using var response = await gateway.Http.SendAsync(request);

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_gets_413_too()
    {
        // One byte over: the server notices only at the end, so the upload is complete when it answers.
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string(' ', DefaultBodyLimitBytes + 1))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await gateway.Http.SendAsync(request);

        await ErrorAssert.IsErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }

    [Fact]
    public async Task A_prompt_and_max_tokens_beyond_the_context_get_400_context_length_exceeded()
    {
        var longText = string.Concat(Enumerable.Repeat("word ", 3000));
        using var response = await gateway.PostJsonAsync(
            "/v1/chat/completions",
            $$"""{"model":"epd-tiny","messages":[{"role":"user","content":"{{longText}}"}],"max_tokens":2000}""");

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.BadRequest, "context_length_exceeded", "messages");
        Assert.Contains("4096", error.GetProperty("message").GetString());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
