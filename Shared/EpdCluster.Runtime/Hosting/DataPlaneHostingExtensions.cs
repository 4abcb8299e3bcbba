using EpdCluster.Engine.Model;
using EpdCluster.Engine.Weights;
using EpdCluster.Runtime.Client;
using EpdCluster.Runtime.Stages;
using EpdCluster.Runtime.Telemetry;
using System.Diagnostics.Metrics;
using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer;
using EpdCluster.Transfer.Kv;
using EpdCluster.Transfer.Kv.Codecs;
using EpdCluster.Transfer.Multimodal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace EpdCluster.Runtime.Hosting;

/// <summary>
/// The tensor side of a process: with Redis clustering, the multimodal token cache, tile pixel staging and the KV
/// fallback live in Redis (shared by every process); without it, in process (one silo, all roles).
/// </summary>
internal static class DataPlaneHostingExtensions
{
    public static TransferOptions ReadTransferOptions(this IConfiguration configuration)
    {
        var options = configuration.GetSection(TransferOptions.SectionName).Get<TransferOptions>() ?? new TransferOptions();
        options.Validate();
        return options;
    }

    /// <summary>Stores every process needs: the token cache, the pixel store and the Redis KV store.</summary>
    public static IServiceCollection AddEpdDataPlane(this IServiceCollection services, EpdClusterOptions cluster, TransferOptions transfer, ModelOptions model)
    {
        services.AddSingleton(transfer);
        services.TryAddSingleton(sp => new RequestStageMetrics(sp.GetRequiredService<IMeterFactory>(), model.Name));
        services.AddSingleton(new KvCompressor(transfer.KvCodecs));
        if (cluster.Clustering == ClusteringMode.Redis)
        {
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(cluster.Redis!));
            services.AddSingleton<IMultimodalTokenCache>(sp => new RedisMultimodalTokenCache(
                sp.GetRequiredService<IConnectionMultiplexer>(), transfer, sp.GetRequiredService<ILogger<RedisMultimodalTokenCache>>()));
            services.AddSingleton<ITilePixelStore>(sp => new RedisTilePixelStore(sp.GetRequiredService<IConnectionMultiplexer>(), transfer));
            services.AddSingleton(sp => new KvRedisStore(new RedisKvBlockStore(sp.GetRequiredService<IConnectionMultiplexer>(), transfer), model.Name));
        }
        else
        {
            services.AddSingleton<IMultimodalTokenCache>(_ => new InProcessMultimodalTokenCache(transfer));
            services.AddSingleton<ITilePixelStore>(_ => new InProcessTilePixelStore(transfer));
            services.AddSingleton(_ => new KvRedisStore(null, model.Name));
        }

        return services;
    }

    /// <summary>What a worker adds: the direct KV channel (server and client), KV arrival tracking, the hand-off.</summary>
    public static IServiceCollection AddEpdWorkerDataPlane(this IServiceCollection services)
    {
        services.AddSingleton<KvArrivals>();
        services.AddSingleton<KvReceiver>();
        services.AddSingleton<DecodeKvSink>();
        services.AddSingleton(sp => new KvTransferClient(sp.GetRequiredService<TransferOptions>(), sp.GetRequiredService<ILogger<KvTransferClient>>()));
        services.AddSingleton(sp => new KvTransferServer(sp.GetRequiredService<DecodeKvSink>(), sp.GetRequiredService<TransferOptions>(), sp.GetRequiredService<ILogger<KvTransferServer>>()));
        services.AddHostedService<KvTransferServerHost>();
        services.AddSingleton<KvHandOff>();
        return services;
    }

    /// <summary>What the gateway adds in cluster mode: the client that runs requests through the stages.</summary>
    public static IServiceCollection AddEpdClusterGeneration(this IServiceCollection services, ModelOptions model)
    {
        var config = string.IsNullOrWhiteSpace(model.Path) ? EpdModelConfig.ForName(model.Name)! : ModelCheckpoint.ReadConfig(model.Path).Config;
        services.AddSingleton(sp => new ClusterGenerationClient(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<ITilePixelStore>(),
            sp.GetRequiredService<IMultimodalTokenCache>(),
            sp.GetRequiredService<TransferOptions>(),
            model.Name,
            config.TokensPerTile,
            sp.GetRequiredService<RequestStageMetrics>(),
            sp.GetRequiredService<ILogger<ClusterGenerationClient>>()));
        return services;
    }
}
