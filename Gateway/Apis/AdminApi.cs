using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Cluster;
using EpdCluster.Abstractions.Scheduling;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Gateway.OpenAi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EpdCluster.Gateway.Apis;

/// <summary>The operator's routes under <c>/admin</c>, behind the same API key check as <c>/v1</c>.</summary>
internal static class AdminApi
{
    public const string Prefix = "/admin";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(Prefix).AddEndpointFilter<ApiKeyFilter>();
        admin.MapGet("/cluster", GetCluster);
        admin.MapGet("/scheduler", GetScheduler);
        admin.MapPut("/scheduler/automatic", SetAutomatic);
        admin.MapPost("/workers/{id}/role", SwitchRole);
        return app;
    }

    /// <summary>
    /// <c>GET /admin/cluster</c>: active silos with their starting roles, the worker directory with current roles and
    /// loads, how many workers hold each role now, and the scheduler's SLO attainment.
    /// </summary>
    private static async Task<Ok<ClusterSummary>> GetCluster(IGrainFactory grains)
    {
        var view = await grains.GetGrain<IClusterViewGrain>(0).GetView();
        var workers = await grains.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers();
        var scheduler = await grains.GetGrain<ISchedulerGrain>(0).GetStatus();
        var roleCounts = WorkerRoles.All.ToDictionary(r => r.ToWireName(), r => workers.Count(w => w.Has(r)));
        var summary = new SchedulerSummary(scheduler.Automatic, scheduler.SwitchingWorker, scheduler.Window, scheduler.RecentDecisions.FirstOrDefault());
        return TypedResults.Ok(new ClusterSummary(view.MembershipVersion, roleCounts, view.Silos, workers, summary));
    }

    /// <summary><c>GET /admin/scheduler</c>: settings, window figures, recent decisions and switches, decision counts.</summary>
    private static async Task<Ok<SchedulerStatus>> GetScheduler(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ISchedulerGrain>(0).GetStatus());

    /// <summary><c>PUT /admin/scheduler/automatic</c> with <c>{"enabled": false}</c>: stops (or resumes) automatic moves.</summary>
    private static async Task<Ok<SchedulerStatus>> SetAutomatic(AutomaticMoves body, IGrainFactory grains)
    {
        var scheduler = grains.GetGrain<ISchedulerGrain>(0);
        await scheduler.SetAutomatic(body.Enabled);
        return TypedResults.Ok(await scheduler.GetStatus());
    }

    /// <summary>
    /// <c>POST /admin/workers/{id}/role</c> with <c>{"role": "prefill"}</c> (or a list, <c>"encode,prefill"</c>): drains
    /// the worker, moves its decoding requests, switches it and answers with the switch report once it is done.
    /// </summary>
    private static async Task<Results<Ok<RoleSwitchReport>, OpenAiErrorResult>> SwitchRole(string id, RoleChange body, IGrainFactory grains)
    {
        IReadOnlyList<WorkerRole> roles;
        try
        {
            roles = WorkerRoles.ParseList(body.Role ?? string.Empty);
        }
        catch (FormatException e)
        {
            return OpenAiErrors.InvalidValue("role", e.Message).ToResult();
        }

        if (roles.Count == 0)
        {
            return OpenAiErrors.MissingParameter("role").ToResult();
        }

        var outcome = await grains.GetGrain<ISchedulerGrain>(0).SwitchRoles(id, roles);
        return outcome switch
        {
            { Refusal: RoleSwitchRefusal.UnknownWorker } => Error(StatusCodes.Status404NotFound, outcome.Message, "worker_not_found"),
            { Refusal: RoleSwitchRefusal.SwitchInProgress } => Error(StatusCodes.Status409Conflict, outcome.Message, "switch_in_progress"),
            { Refusal: RoleSwitchRefusal.RoleMinimum } => Error(StatusCodes.Status409Conflict, outcome.Message, "role_minimum"),
            { Report: { Succeeded: true } report } => TypedResults.Ok(report),
            _ => Error(StatusCodes.Status503ServiceUnavailable, $"The switch did not complete and the worker keeps its roles: {outcome.Report?.Error}", "role_switch_failed"),
        };
    }

    private static OpenAiErrorResult Error(int status, string? message, string code) =>
        new(status, new OpenAiError(message ?? code, status >= StatusCodes.Status500InternalServerError ? OpenAiErrorType.Server : OpenAiErrorType.InvalidRequest, null, code));

    /// <param name="Workers">The worker directory: current roles, draining flags, transfer endpoints and last reported loads.</param>
    /// <param name="RoleCounts">Workers holding each role now (a switch changes these; the silos keep their starting roles).</param>
    internal sealed record ClusterSummary(long MembershipVersion, IReadOnlyDictionary<string, int> RoleCounts, IReadOnlyList<SiloView> Silos, IReadOnlyList<WorkerInfo> Workers, SchedulerSummary Scheduler);

    /// <param name="Attainment">TTFT and TPOT attainment and stage p90s over the scheduler's window.</param>
    internal sealed record SchedulerSummary(bool Automatic, string? SwitchingWorker, WindowFigures Attainment, ScheduleDecision? LastDecision);

    internal sealed record RoleChange(string? Role);

    internal sealed record AutomaticMoves(bool Enabled);
}
