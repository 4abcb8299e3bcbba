using System.Text.Json.Serialization;
using EpdCluster.Abstractions;
using EpdCluster.Gateway.Serving;
using EpdCluster.Runtime.Hosting;

namespace EpdCluster.Gateway.Hosting;

internal static class GatewayHostingExtensions
{
    /// <summary>
    /// Reads <c>Epd:Gateway</c> and composes either an all-in-one worker with the embedded engine as backend, or a
    /// cluster client; then the OpenAI API over that backend.
    /// </summary>
    public static WebApplicationBuilder AddEpdGateway(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        options.Validate();
        builder.AddGatewayTelemetry();
        if (options.EmbeddedWorker)
        {
            builder.AddEpdWorker([.. WorkerRoles.All]);
            builder.AddEmbeddedBackend();
        }
        else
        {
            builder.AddEpdClusterClient();
            builder.Services.AddSingleton<IGenerationBackend, ClusterBackend>();
        }

        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower)));
        return builder.AddOpenAiApi(options);
    }

    /// <summary>Registers the embedded worker's engine, which loads in the background, as the backend.</summary>
    private static WebApplicationBuilder AddEmbeddedBackend(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EmbeddedBackend>();
        builder.Services.AddSingleton<IGenerationBackend>(services => services.GetRequiredService<EmbeddedBackend>());
        builder.Services.AddHostedService(services => services.GetRequiredService<EmbeddedBackend>());
        return builder;
    }
}
