using EpdCluster.Runtime.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace EpdCluster.Runtime.Hosting;

/// <summary>What the scheduler grain needs on whichever worker it activates: its options, instruments and state store.</summary>
internal static class SchedulerHostingExtensions
{
    /// <summary>Reads and validates <c>Epd:Scheduler</c>; with Redis clustering the scheduler's state lives in Redis.</summary>
    public static IServiceCollection AddEpdScheduler(this IServiceCollection services, IConfiguration configuration, EpdClusterOptions cluster)
    {
        if (cluster.Clustering == ClusteringMode.Redis)
        {
            services.AddSingleton<ISchedulerStateStore>(sp => new RedisSchedulerStateStore(sp.GetRequiredService<IConnectionMultiplexer>(), cluster.ClusterId));
        }
        else
        {
            services.AddSingleton<ISchedulerStateStore, InProcessSchedulerStateStore>();
        }

        var options = configuration.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>() ?? new SchedulerOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddMetrics();
        services.AddSingleton<SchedulerMetrics>();
        return services;
    }
}
