using System.Text.Json;
using System.Text.Json.Serialization;

namespace EpdCluster.Cluster.Tests;

/// <summary>The JSON body of <c>GET /admin/cluster</c>, read independently of the gateway's own types.</summary>
internal sealed record ClusterSummaryDto(
    [property: JsonPropertyName("membershipVersion")] long MembershipVersion,
    [property: JsonPropertyName("roleCounts")] Dictionary<string, int> RoleCounts,
    [property: JsonPropertyName("silos")] List<SiloDto> Silos)
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
