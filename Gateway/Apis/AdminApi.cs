using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Cluster;
using EpdCluster.Abstractions.Workers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EpdCluster.Gateway.Apis;

internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/cluster", GetCluster);
        return app;
    }

    /// <summary>
    /// <c>GET /admin/cluster</c>: active silos with their starting roles, the worker directory with current roles and
    /// loads, and how many workers hold each role now.
    /// </summary>
    private static async Task<Ok<ClusterSummary>> GetCluster(IGrainFactory grains)
    {
        var view = await grains.GetGrain<IClusterViewGrain>(0).GetView();
        var workers = await grains.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers();
        var roleCounts = WorkerRoles.All.ToDictionary(r => r.ToWireName(), r => workers.Count(w => w.Has(r)));
        return TypedResults.Ok(new ClusterSummary(view.MembershipVersion, roleCounts, view.Silos, workers));
    }

    /// <param name="Workers">The worker directory: roles, transfer endpoints and last reported loads.</param>
    internal sealed record ClusterSummary(long MembershipVersion, IReadOnlyDictionary<string, int> RoleCounts, IReadOnlyList<SiloView> Silos, IReadOnlyList<WorkerInfo> Workers);
}
