using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace EpdCluster.Gateway.Tests;

/// <summary>The admin routes on an all-in-one gateway: behind the API key, showing the scheduler, refusing to empty a role.</summary>
public sealed class AdminApiTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Admin_routes_need_the_api_key()
    {
        using var anonymous = gateway.CreateAnonymousClient();

        using var cluster = await anonymous.GetAsync("/admin/cluster");
        using var role = await anonymous.PostAsJsonAsync("/admin/workers/any/role", new { role = "decode" });

        await ErrorAssert.IsErrorAsync(cluster, HttpStatusCode.Unauthorized, "missing_api_key");
        await ErrorAssert.IsErrorAsync(role, HttpStatusCode.Unauthorized, "missing_api_key");
    }

    [Fact]
    public async Task The_cluster_shows_one_worker_with_every_role_and_the_schedulers_attainment()
    {
        var cluster = JsonNode.Parse(await gateway.Http.GetStringAsync("/admin/cluster"))!;

        var worker = Assert.Single(cluster["workers"]!.AsArray())!;
        Assert.Equal(["encode", "prefill", "decode"], worker["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.False(worker["draining"]!.GetValue<bool>());
        Assert.All(new[] { "encode", "prefill", "decode" }, role => Assert.Equal(1, cluster["roleCounts"]![role]!.GetValue<int>()));
        Assert.True(cluster["scheduler"]!["automatic"]!.GetValue<bool>());
        Assert.NotNull(cluster["scheduler"]!["attainment"]!["ttftAttainment"]);
    }

    [Fact]
    public async Task Switching_the_only_worker_away_from_a_role_is_refused_and_changes_nothing()
    {
        var cluster = JsonNode.Parse(await gateway.Http.GetStringAsync("/admin/cluster"))!;
        var id = cluster["workers"]![0]!["workerId"]!.GetValue<string>();

        using var response = await gateway.Http.PostAsJsonAsync($"/admin/workers/{id}/role", new { role = "prefill" });
        using var missing = await gateway.Http.PostAsJsonAsync($"/admin/workers/{id}/role", new { role = "" });

        var error = await ErrorAssert.IsErrorAsync(response, HttpStatusCode.Conflict, "role_minimum");
        Assert.Contains("minimum is 1", error.GetProperty("message").GetString());
        await ErrorAssert.IsErrorAsync(missing, HttpStatusCode.BadRequest, "missing_required_parameter");
        var after = JsonNode.Parse(await gateway.Http.GetStringAsync("/admin/cluster"))!;
        Assert.Equal(3, after["workers"]![0]!["roles"]!.AsArray().Count);
    }
}
