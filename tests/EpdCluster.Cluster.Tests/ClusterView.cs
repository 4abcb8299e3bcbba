using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Cluster.Tests;

/// <summary>The JSON body of <c>GET /admin/cluster</c>, read independently of the gateway's own types.</summary>
internal sealed record ClusterSummaryDto(
    [property: JsonPropertyName("membershipVersion")] long MembershipVersion,
    [property: JsonPropertyName("roleCounts")] Dictionary<string, int> RoleCounts,
    [property: JsonPropertyName("silos")] List<SiloDto> Silos,
    [property: JsonPropertyName("workers")] List<WorkerDto> Workers)
{
    public static async Task<ClusterSummaryDto> FetchAsync(HttpClient http, Uri gateway)
    {
        var json = await http.GetStringAsync(new Uri(gateway, "/admin/cluster"));
        return JsonSerializer.Deserialize<ClusterSummaryDto>(json) ?? throw new InvalidOperationException($"empty body: {json}");
    }
}

internal sealed record SiloDto(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("workerId")] string? WorkerId,
    [property: JsonPropertyName("roles")] List<string> Roles,
    [property: JsonPropertyName("status")] string Status);

internal sealed record WorkerDto(
    [property: JsonPropertyName("workerId")] string WorkerId,
    [property: JsonPropertyName("roles")] List<string> Roles,
    [property: JsonPropertyName("transferEndpoint")] string? TransferEndpoint,
    [property: JsonPropertyName("load")] WorkerLoadDto Load);

internal sealed record WorkerLoadDto(
    [property: JsonPropertyName("freeKvBlocks")] int FreeKvBlocks,
    [property: JsonPropertyName("totalKvBlocks")] int TotalKvBlocks,
    [property: JsonPropertyName("encodedTiles")] long EncodedTiles);
