using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// Role switches on a real multi-silo cluster: a decode worker switched mid-traffic hands its decoding requests to
/// the other decode worker, no request fails, every token equals the aggregated engine's, and the worker then serves
/// its new role. The admin API refuses switches it must not run.
/// </summary>
public sealed class RoleSwitchTests(RoleSwitchClusterFixture fixture) : IClassFixture<RoleSwitchClusterFixture>
{
    private const int LongAnswerTokens = 300;

    [Fact]
    public async Task A_decode_worker_switched_mid_stream_moves_its_requests_and_then_serves_prefill()
    {
        var requests = Enumerable.Range(0, 6).Select(i => i % 3 == 0
            ? ChatClient.Request([ChatClient.User($"Describe picture {i} at length.", TestImages.DataUrl(300 + (40 * i), 200, seed: 40 + i))], LongAnswerTokens)
            : ChatClient.Request([ChatClient.User($"Story number {i}: tell me everything about clusters, " + string.Join(' ', Enumerable.Repeat("again", i * 7)))], LongAnswerTokens))
            .ToList();

        var running = requests.Select(r => ChatClient.CompleteAsync(fixture.Http, fixture.Cluster.GatewayUrl, r)).ToList();
        await Poll.UntilAsync(async () => (await WorkerAsync("decode-1"))["load"]!["runningRequests"]!.GetValue<int>() >= 1, "decode-1 never ran a request");

        var report = await SwitchAsync("decode-1", "prefill");
        var results = await Task.WhenAll(running);

        Assert.True(report["succeeded"]!.GetValue<bool>(), report.ToJsonString());
        Assert.True(report["migratedRequests"]!.GetValue<int>() >= 1, $"nothing moved: {report.ToJsonString()}");
        Assert.Equal(["prefill"], report["to"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.True(report["totalSeconds"]!.GetValue<double>() > 0);
        var expected = await Task.WhenAll(requests.Select(r => ChatClient.CompleteAsync(fixture.Http, fixture.AllInOne.GatewayUrl, r)));
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(expected[i].Text, results[i].Text);
            Assert.Equal(LongAnswerTokens, results[i].CompletionTokens);
        }

        // The worker re-registered with its new role; routing now gives it prefill work and no decode work.
        var worker = await WorkerAsync("decode-1");
        Assert.Equal(["prefill"], worker["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.False(worker["draining"]!.GetValue<bool>());
        var cluster = await ClusterAsync();
        Assert.Equal(2, cluster["roleCounts"]!["prefill"]!.GetValue<int>());
        Assert.Equal(1, cluster["roleCounts"]!["decode"]!.GetValue<int>());

        var generatedBefore = worker["load"]!["generatedTokens"]!.GetValue<long>();
        var shortRequest = ChatClient.Request([ChatClient.User("Hello after the switch!")], 8);
        var after = await ChatClient.CompleteAsync(fixture.Http, fixture.Cluster.GatewayUrl, shortRequest);
        Assert.Equal((await ChatClient.CompleteAsync(fixture.Http, fixture.AllInOne.GatewayUrl, shortRequest)).Text, after.Text);
        // The heartbeat's load can be taken while the prefilled blocks are still parked for the KV hand-off: wait for
        // the settled state (token counted, hand-off done); a leaked block never settles and fails the wait.
        await Poll.UntilAsync(async () => (await WorkerAsync("decode-1"))["load"]!["generatedTokens"]!.GetValue<long>() > generatedBefore, "decode-1 prefilled nothing after the switch");
        await Poll.UntilAsync(async () => (await WorkerAsync("decode-1"))["load"] is { } load
            && load["freeKvBlocks"]!.GetValue<int>() == load["totalKvBlocks"]!.GetValue<int>(), "decode-1 kept KV blocks after the hand-off");
        worker = await WorkerAsync("decode-1");
        Assert.Equal(generatedBefore + 1, worker["load"]!["generatedTokens"]!.GetValue<long>()); // the first token only: it prefilled, decode-2 decoded

        var scheduler = JsonNode.Parse(await fixture.Http.GetStringAsync(new Uri(fixture.Cluster.GatewayUrl, "/admin/scheduler")))!;
        Assert.Contains(scheduler["recentSwitches"]!.AsArray(), s => s!["workerId"]!.GetValue<string>() == "decode-1" && s["succeeded"]!.GetValue<bool>());
        Assert.True(scheduler["decisionCounts"]!["move"]!.GetValue<long>() >= 1);
        Assert.Contains(scheduler["recentDecisions"]!.AsArray(), d => d!["trigger"]!.GetValue<string>() == "manual" && d["workerId"]!.GetValue<string>() == "decode-1");
    }

    [Fact]
    public async Task Switches_that_would_empty_a_role_name_an_unknown_worker_or_a_bad_role_are_refused()
    {
        using var emptiesEncode = await PostSwitchAsync("encode-1", "prefill");
        using var unknown = await PostSwitchAsync("decode-9", "prefill");
        using var badRole = await PostSwitchAsync("decode-2", "gpu");

        Assert.Equal(HttpStatusCode.Conflict, emptiesEncode.StatusCode);
        Assert.Contains("role_minimum", await emptiesEncode.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        Assert.Equal(["encode"], (await WorkerAsync("encode-1"))["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task Automatic_moves_can_be_switched_on_and_off_through_the_admin_api()
    {
        var on = await SetAutomaticAsync(true);
        var off = await SetAutomaticAsync(false);

        Assert.True(on["automatic"]!.GetValue<bool>());
        Assert.False(off["automatic"]!.GetValue<bool>());
        Assert.False((await ClusterAsync())["scheduler"]!["automatic"]!.GetValue<bool>());
    }

    private async Task<JsonNode> SetAutomaticAsync(bool enabled)
    {
        using var response = await fixture.Http.PutAsJsonAsync(new Uri(fixture.Cluster.GatewayUrl, "/admin/scheduler/automatic"), new { enabled });
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<JsonNode> SwitchAsync(string workerId, string role)
    {
        using var response = await PostSwitchAsync(workerId, role);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}\n{fixture.Cluster.ReadLogs()}");
        return JsonNode.Parse(body)!;
    }

    private Task<HttpResponseMessage> PostSwitchAsync(string workerId, string role) =>
        fixture.Http.PostAsJsonAsync(new Uri(fixture.Cluster.GatewayUrl, $"/admin/workers/{workerId}/role"), new { role });

    private async Task<JsonNode> ClusterAsync() =>
        JsonNode.Parse(await fixture.Http.GetStringAsync(new Uri(fixture.Cluster.GatewayUrl, "/admin/cluster")))!;

    private async Task<JsonNode> WorkerAsync(string workerId) =>
        (await ClusterAsync())["workers"]!.AsArray().Single(w => w!["workerId"]!.GetValue<string>() == workerId)!;
}
