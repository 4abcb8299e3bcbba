using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace EpdCluster.Cluster.Tests;

/// <summary>
/// The scheduler grain's state lives in Redis: when the silo that hosts it is killed, the grain comes back on another
/// silo with automatic moves still off, its window samples, its decision and switch history and its cooldown.
/// </summary>
public sealed class SchedulerFailoverTests(SchedulerFailoverFixture fixture) : IClassFixture<SchedulerFailoverFixture>
{
    [Fact]
    public async Task The_scheduler_keeps_its_state_when_its_silo_is_killed()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            ChatClient.CompleteAsync(fixture.Http, fixture.Cluster.GatewayUrl, ChatClient.Request([ChatClient.User($"Request {i} before the failover.")], 8))));
        Assert.All(answers, a => Assert.Equal(8, a.CompletionTokens));
        using (var off = await fixture.Http.PutAsJsonAsync(new Uri(fixture.Cluster.GatewayUrl, "/admin/scheduler/automatic"), new { enabled = false }))
        {
            off.EnsureSuccessStatusCode();
        }

        var before = await StatusAsync();
        var host = before["hostWorkerId"]!.GetValue<string>();
        var other = new[] { "decode-1", "decode-2" }.First(w => w != host);
        using (var manual = await fixture.Http.PostAsJsonAsync(new Uri(fixture.Cluster.GatewayUrl, $"/admin/workers/{other}/role"), new { role = "prefill" }))
        {
            Assert.True(manual.IsSuccessStatusCode, await manual.Content.ReadAsStringAsync());
        }

        // The gateway reports samples once a second; wait until the scheduler holds all six, then until it saved them.
        await Poll.UntilAsync(async () => (await StatusAsync())["window"]!["requests"]!.GetValue<int>() >= answers.Length, "the samples never reached the scheduler", TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(async () => (await StatusAsync())["recentDecisions"]!.AsArray().Any(d => d!["code"]!.GetValue<string>() == "cooldown"), "no evaluation after the switch", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(6)); // one more evaluation: its save holds every sample
        before = await StatusAsync();

        Process.GetProcessById(fixture.Cluster.ReadPids()[host]).Kill();
        var after = await WaitForStatusAsync(s => s["hostWorkerId"]?.GetValue<string>() is { } now && now != host, TimeSpan.FromMinutes(3));

        Assert.False(after["automatic"]!.GetValue<bool>());
        Assert.True(after["window"]!["requests"]!.GetValue<int>() >= before["window"]!["requests"]!.GetValue<int>(), after.ToJsonString());
        Assert.Contains(after["recentSwitches"]!.AsArray(), s => s!["workerId"]!.GetValue<string>() == other && s["succeeded"]!.GetValue<bool>());
        Assert.Contains(after["recentDecisions"]!.AsArray(), d => d!["trigger"]!.GetValue<string>() == "manual" && d["workerId"]!.GetValue<string>() == other);
        Assert.True(after["decisionCounts"]!["cooldown"]!.GetValue<long>() >= before["decisionCounts"]!["cooldown"]!.GetValue<long>());
        Assert.Equal(before["decisionCounts"]!["move"]!.GetValue<long>(), after["decisionCounts"]!["move"]!.GetValue<long>());

        // The cooldown of the manual switch still holds: the new activation's first decisions are cooldowns.
        await Poll.UntilAsync(async () => (await StatusAsync())["decisionCounts"]!["cooldown"]!.GetValue<long>() > after["decisionCounts"]!["cooldown"]!.GetValue<long>(),
            "the restored scheduler made no decision", TimeSpan.FromSeconds(30));
        Assert.Equal("cooldown", (await StatusAsync())["recentDecisions"]![0]!["code"]!.GetValue<string>());
    }

    private async Task<JsonNode> StatusAsync() =>
        JsonNode.Parse(await fixture.Http.GetStringAsync(new Uri(fixture.Cluster.GatewayUrl, "/admin/scheduler")))!;

    /// <summary>Polls the status through the failover, when calls fail until the dead silo is declared dead.</summary>
    private async Task<JsonNode> WaitForStatusAsync(Func<JsonNode, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await fixture.Http.GetAsync(new Uri(fixture.Cluster.GatewayUrl, "/admin/scheduler"));
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                if (response.IsSuccessStatusCode && JsonNode.Parse(last[(last.IndexOf(' ', StringComparison.Ordinal) + 1)..]) is { } status && condition(status))
                {
                    return status;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"the scheduler did not come back on another silo within {timeout}; last answer: {last}\n{fixture.Cluster.ReadLogs()}");
        return null!;
    }
}
