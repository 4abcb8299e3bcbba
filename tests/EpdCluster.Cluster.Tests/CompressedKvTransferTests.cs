using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// Every KV codec through the real hand-off (prefill process → direct channel → decode process): requests complete
/// with all their tokens, the frames go direct, and every worker's KV pool is full again afterwards.
/// </summary>
public sealed class CompressedKvTransferTests(CompressedKvClusterFixture fixture) : IClassFixture<CompressedKvClusterFixture>
{
    private const int MaxTokens = 8;

    [Fact]
    public async Task Requests_decode_with_every_codec_and_free_every_block()
    {
        var image = TestImages.DataUrl(640, 480, seed: 21);
        string?[] codecs = [null, "none", "none-f16", "kivi+lz4", "zipcache", "lookm+kivi", "lookm"];
        foreach (var codec in codecs)
        {
            var request = ChatClient.Request([ChatClient.User("What is in this picture?", image)], MaxTokens);
            if (codec is not null)
            {
                request["kv_codec"] = codec;
            }

            var result = await ChatClient.CompleteAsync(fixture.Http, fixture.Cluster.GatewayUrl, request);

            Assert.Equal((MaxTokens, "length"), (result.CompletionTokens, result.FinishReason));
        }

        var textOnly = ChatClient.Request([ChatClient.User("Plain text: LOOK-M passes it through to KIVI.")], MaxTokens);
        textOnly["kv_codec"] = "lookm+kivi";
        Assert.Equal(MaxTokens, (await ChatClient.CompleteAsync(fixture.Http, fixture.Cluster.GatewayUrl, textOnly)).CompletionTokens);

        var prefillLog = File.ReadAllText(Path.Combine(fixture.Cluster.LogsDirectory, "prefill-1.log"));
        foreach (var encoded in new[] { "kivi", "none-f16", "kivi+lz4", "zipcache", "lookm+kivi", "lookm+none" })
        {
            Assert.Contains($"encoded as {encoded}:", prefillLog, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("falling back to Redis", prefillLog, StringComparison.Ordinal);
        Assert.DoesNotContain("hand-off of request", prefillLog, StringComparison.Ordinal);
        await AssertEveryPoolIsFullAsync();
    }

    [Fact]
    public async Task An_unknown_codec_in_a_request_is_a_400_naming_the_parameter()
    {
        var request = ChatClient.Request([ChatClient.User("Hello")], MaxTokens);
        request["kv_codec"] = "kivi7";

        using var response = await fixture.Http.PostAsJsonAsync(new Uri(fixture.Cluster.GatewayUrl, "/v1/chat/completions"), request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("kv_codec", error["param"]!.GetValue<string>());
    }

    private async Task AssertEveryPoolIsFullAsync()
    {
        JsonArray workers = [];
        for (var attempt = 0; attempt < 50; attempt++)
        {
            workers = JsonNode.Parse(await fixture.Http.GetStringAsync(new Uri(fixture.Cluster.GatewayUrl, "/admin/cluster")))!["workers"]!.AsArray();
            if (workers.All(IsIdle))
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.All(workers, w => Assert.True(IsIdle(w), $"{w!["workerId"]} still holds KV blocks: {w["load"]!.ToJsonString()}"));
    }

    private static bool IsIdle(JsonNode? worker) =>
        worker!["load"]!["freeKvBlocks"]!.GetValue<int>() == worker["load"]!["totalKvBlocks"]!.GetValue<int>()
        && worker["load"]!["runningRequests"]!.GetValue<int>() == 0;
}
