using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using EpdCluster.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EpdCluster.Gateway.Tests;

/// <summary>The gateway's request metrics, read in process: outcomes, latency histograms and usage-exact token counts.</summary>
public sealed class GatewayMetricsTests(MetricsGatewayFixture gateway) : IClassFixture<MetricsGatewayFixture>
{
    private const string Model = GatewayFixture.ModelId;

    [Fact]
    public async Task Successful_requests_record_their_outcome_latencies_and_usage()
    {
        using var recorder = new MetricsRecorder(gateway.Services.GetRequiredService<IMeterFactory>());
        var usages = new List<JsonNode>();
        foreach (var stream in new[] { false, true, false })
        {
            usages.Add(await CompleteAsync(stream));
        }

        var tokens = MetricsGatewayFixture.AnswerTokens;
        Assert.Equal(3, recorder.Sum("epd_requests", ("status", "success"), ("model", Model)));
        Assert.Equal(0, recorder.Sum("epd_requests", ("status", "error")));
        Assert.Equal(3, recorder.Count("epd_time_to_first_token"));
        Assert.Equal(3 * (tokens - 1), recorder.Count("epd_inter_token_latency"));
        Assert.Equal(3, recorder.Count("epd_time_per_output_token"));
        Assert.Equal(3, recorder.Count("epd_e2e_request_latency"));
        Assert.Equal(3, recorder.Count("epd_request_queue_time"));
        Assert.Equal(usages.Sum(u => (int)u["prompt_tokens"]!), recorder.Sum("epd_prompt_tokens"));
        Assert.Equal(usages.Sum(u => (int)u["completion_tokens"]!), recorder.Sum("epd_generation_tokens"));
        Assert.Equal(3 * tokens, recorder.Sum("epd_generation_tokens"));
        Assert.Equal(0, recorder.Sum("epd_image_tokens"));

        // End to end covers the first token and every gap after it.
        var e2e = recorder.Values("epd_e2e_request_latency").Sum();
        Assert.True(e2e >= recorder.Values("epd_time_to_first_token").Sum(), "e2e latency includes TTFT");

        // A scripted backend answers at once: every request is within the default SLOs.
        Assert.Equal(3, recorder.Sum("epd_requests_within_slo"));
        Assert.Equal([0.0], recorder.Observe("epd_frontend_inflight_requests"));
        Assert.Equal([1.4], recorder.Observe("epd_slo_time_to_first_token"));
    }

    [Fact]
    public async Task Refused_requests_count_by_status_and_record_no_tokens()
    {
        using var recorder = new MetricsRecorder(gateway.Services.GetRequiredService<IMeterFactory>());
        using var wrongModel = await gateway.Http.PostAsync("/v1/chat/completions", Json(new JsonObject
        {
            ["model"] = "no-such-model",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        }));
        using var badJson = await gateway.Http.PostAsync("/v1/completions", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        using var notCompletion = await gateway.Http.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.NotFound, wrongModel.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal(2, recorder.Sum("epd_requests", ("status", "invalid")));
        Assert.Equal(0, recorder.Sum("epd_requests", ("status", "success")));
        Assert.Equal(0, recorder.Count("epd_time_to_first_token"));
        Assert.Equal(0, recorder.Sum("epd_prompt_tokens"));
    }

    [Fact]
    public async Task Every_response_has_a_request_id_and_a_well_formed_caller_id_is_kept()
    {
        using var generated = await gateway.Http.GetAsync("/health");
        Assert.Matches("^req_[0-9a-f]{24}$", Assert.Single(generated.Headers.GetValues("x-request-id")));

        using var own = new HttpRequestMessage(HttpMethod.Get, "/health");
        own.Headers.Add("x-request-id", "proxy-1234_abc");
        using var kept = await gateway.Http.SendAsync(own);
        Assert.Equal("proxy-1234_abc", Assert.Single(kept.Headers.GetValues("x-request-id")));

        using var tooLong = new HttpRequestMessage(HttpMethod.Get, "/health");
        tooLong.Headers.Add("x-request-id", new string('a', 65));
        using var replaced = await gateway.Http.SendAsync(tooLong);
        Assert.Matches("^req_[0-9a-f]{24}$", Assert.Single(replaced.Headers.GetValues("x-request-id")));
    }

    private async Task<JsonNode> CompleteAsync(bool stream)
    {
        var request = new JsonObject
        {
            ["model"] = Model,
            ["max_tokens"] = 50,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Count." }),
        };
        if (stream)
        {
            request["stream"] = true;
            request["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        using var response = await gateway.Http.PostAsync("/v1/chat/completions", Json(request));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        if (!stream)
        {
            return JsonNode.Parse(body)!["usage"]!;
        }

        var usageEvent = body.Split("\n\n").Where(e => e.StartsWith("data: {", StringComparison.Ordinal)).Select(e => JsonNode.Parse(e["data: ".Length..])!).Last();
        return usageEvent["usage"]!;
    }

    private static StringContent Json(JsonNode node) => new(node.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
