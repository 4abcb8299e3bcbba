using System.Net;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Cluster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Simulated;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Runtime.Placement;
using EpdCluster.Runtime.Telemetry;
using System.Diagnostics.Metrics;
using EpdCluster.Runtime.Workers;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace EpdCluster.Runtime.Hosting;

/// <summary>Composes a worker: an Orleans silo with its roles in silo metadata, over the configured clustering.</summary>
public static class WorkerHostingExtensions
{
    /// <summary>
    /// Adds an Orleans silo that serves <paramref name="defaultRoles"/> (overridable with <c>Epd:Worker:Roles</c>).
    /// Reads <c>Epd:Cluster</c> and <c>Epd:Worker</c> once, validates them, and fails fast on bad values.
    /// </summary>
    public static IHostApplicationBuilder AddEpdWorker(this IHostApplicationBuilder builder, params WorkerRole[] defaultRoles)
    {
        ArgumentOutOfRangeException.ThrowIfZero(defaultRoles.Length);
        var cluster = builder.Configuration.ReadEpdClusterOptions();
        var worker = builder.Configuration.GetSection(EpdWorkerOptions.SectionName).Get<EpdWorkerOptions>() ?? new EpdWorkerOptions();
        var roles = worker.ResolveRoles(defaultRoles);
        var workerId = worker.ResolveId(roles, cluster.SiloPort);
        var identity = new WorkerIdentity(workerId, roles);

        var model = builder.Configuration.GetSection(ModelOptions.SectionName).Get<ModelOptions>() ?? new ModelOptions();
        model.Validate();
        var engine = builder.Configuration.GetSection(EngineOptions.SectionName).Get<EngineOptions>() ?? new EngineOptions();
        engine.Validate();
        var transfer = builder.Configuration.ReadTransferOptions();
        var simulation = builder.Configuration.ReadSimulationOptions(engine, transfer);

        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(worker);
        builder.Services.AddSingleton(model);
        builder.Services.AddSingleton(engine);
        builder.AddEpdTelemetry("epd-worker", workerId);
        builder.AddEpdMetricsListener();
        builder.Services.AddSingleton(sp => new WorkerEngineHost(model, engine, new EngineMetrics(sp.GetRequiredService<IMeterFactory>(), model.Name, workerId), simulation));
        builder.Services.AddSingleton(sp => new WorkerMetrics(sp.GetRequiredService<IMeterFactory>(), identity, model.Name));
        builder.Services.AddSingleton<TokenCacheMetrics>();
        builder.Services.AddHostedService<WorkerTelemetryStartup>();
        builder.Services.AddSingleton<WorkerTransferEndpoint>();
        builder.Services.AddEpdDataPlane(cluster, transfer, model);
        builder.Services.AddEpdWorkerDataPlane();
        builder.Services.AddEpdRoleSwitching(builder.Configuration);
        builder.Services.AddEpdScheduler(builder.Configuration, cluster);
        builder.Services.AddHostedService<WorkerStartup>();
        builder.Services.AddSingleton<WorkerHeartbeat>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WorkerHeartbeat>());
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = workerId);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
            silo.Services.AddPlacementDirector<WorkerPlacementStrategy, WorkerPlacementDirector>();
            silo.AddActivityPropagation();
            silo.UseSiloMetadata(new Dictionary<string, string>
            {
                [EpdSiloMetadata.Roles] = WorkerRoles.Format(roles),
                [EpdSiloMetadata.WorkerId] = workerId,
            });

            var address = IPAddress.Parse(cluster.AdvertisedAddress);
            switch (cluster.Clustering)
            {
                case ClusteringMode.Redis:
                    silo.UseRedisClustering(cluster.Redis!);
                    silo.ConfigureEndpoints(address, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: false);
                    break;
                default:
                    silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort);
                    break;
            }
        });

        return builder;
    }

    /// <summary>
    /// Binds and validates <c>Epd:Simulation</c> when the engine is simulated (null otherwise): the profile must load,
    /// and KV must travel uncompressed (the simulated engine has no tensors to encode).
    /// </summary>
    public static SimulationOptions? ReadSimulationOptions(this IConfiguration configuration, EngineOptions engine, EpdCluster.Transfer.TransferOptions transfer)
    {
        if (engine.Mode != EngineMode.Simulated)
        {
            return null;
        }

        var simulation = configuration.GetSection(SimulationOptions.SectionName).Get<SimulationOptions>() ?? new SimulationOptions();
        simulation.LoadProfile();
        if (!transfer.KvCodecSpec.IsRaw)
        {
            throw new InvalidOperationException($"{EngineOptions.SectionName}:Mode=simulated moves no KV tensors: Epd:Transfer:KvCodec must be none, not '{transfer.KvCodec}'.");
        }

        return simulation;
    }

    /// <summary>Binds and validates <c>Epd:Cluster</c>.</summary>
    public static EpdClusterOptions ReadEpdClusterOptions(this IConfiguration configuration)
    {
        var options = configuration.GetSection(EpdClusterOptions.SectionName).Get<EpdClusterOptions>() ?? new EpdClusterOptions();
        options.Validate();
        return options;
    }
}
