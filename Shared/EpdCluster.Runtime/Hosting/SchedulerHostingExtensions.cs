using EpdCluster.Runtime.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EpdCluster.Runtime.Hosting;

/// <summary>What the scheduler grain needs on whichever worker it activates: its options and instruments.</summary>
internal static class SchedulerHostingExtensions
{
    /// <summary>Reads and validates <c>Epd:Scheduler</c>.</summary>
    public static IServiceCollection AddEpdScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>() ?? new SchedulerOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddMetrics();
        services.AddSingleton<SchedulerMetrics>();
        return services;
    }
}
