using System.Text.Json.Serialization;
using EpdCluster.Abstractions;
using EpdCluster.Runtime.Hosting;

namespace EpdCluster.Gateway.Hosting;

internal static class GatewayHostingExtensions
{
    /// <summary>Reads <c>Epd:Gateway</c> and composes either an all-in-one worker or a cluster client.</summary>
    public static WebApplicationBuilder AddEpdGateway(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        builder.Services.AddSingleton(options);
        if (options.EmbeddedWorker)
        {
            builder.AddEpdWorker([.. WorkerRoles.All]);
        }
        else
        {
            builder.AddEpdClusterClient();
        }

        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower)));
        return builder;
    }
}
