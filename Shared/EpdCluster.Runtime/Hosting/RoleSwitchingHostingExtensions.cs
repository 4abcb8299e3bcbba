using EpdCluster.Runtime.Switching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EpdCluster.Runtime.Hosting;

/// <summary>What a worker needs to switch roles in place: stage activity, decode sessions, the mover and the switcher.</summary>
internal static class RoleSwitchingHostingExtensions
{
    /// <summary>Reads and validates <c>Epd:Switch</c>.</summary>
    public static IServiceCollection AddEpdRoleSwitching(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RoleSwitchOptions.SectionName).Get<RoleSwitchOptions>() ?? new RoleSwitchOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<StageActivity>();
        services.AddSingleton<DecodeSessions>();
        services.AddSingleton<AdoptedStreams>();
        services.AddSingleton<DecodeMigrator>();
        services.AddSingleton<RoleSwitcher>();
        return services;
    }
}
