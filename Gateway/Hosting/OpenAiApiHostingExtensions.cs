using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Model;
using EpdCluster.Gateway.OpenAi;
using EpdCluster.Gateway.Serving;
using EpdCluster.Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EpdCluster.Gateway.Hosting;

internal static class OpenAiApiHostingExtensions
{
    /// <summary>
    /// The services of the OpenAI API over whatever <see cref="IGenerationBackend"/> is registered: reads and
    /// validates <c>Epd:Gateway:Limits</c>, <c>Epd:Model</c> and <c>Epd:Imaging</c>, and sets Kestrel's body limit.
    /// </summary>
    public static WebApplicationBuilder AddOpenAiApi(this WebApplicationBuilder builder, GatewayOptions options)
    {
        var limits = builder.Configuration.GetSection(GatewayLimits.SectionName).Get<GatewayLimits>() ?? new GatewayLimits();
        limits.Validate();
        var model = builder.Configuration.GetSection(ModelOptions.SectionName).Get<ModelOptions>() ?? new ModelOptions();
        var imaging = builder.Configuration.GetSection(ImagePreprocessOptions.SectionName).Get<ImagePreprocessOptions>() ?? new ImagePreprocessOptions();
        imaging.Validate();
        var slo = builder.Configuration.GetSection(SloOptions.SectionName).Get<SloOptions>() ?? new SloOptions();
        slo.Validate();
        var servedModel = ServedModel.FromOptions(model, TimeProvider.System);
        if (imaging.TileSize != servedModel.TileSize)
        {
            throw new InvalidOperationException(
                $"{ImagePreprocessOptions.SectionName}:TileSize ({imaging.TileSize}) must equal the vision tower's input side of model '{servedModel.Id}' ({servedModel.TileSize}).");
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(limits);
        services.AddSingleton(model);
        services.AddSingleton(imaging);
        services.AddSingleton(servedModel);
        services.AddSingleton(new ImagePreprocessor(imaging));
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<AdmissionController>();
        services.AddSingleton<OpenAiRequestReader>();
        services.AddSingleton<PromptBuilder>();
        services.AddSingleton<CompletionPipeline>();
        services.AddSingleton(slo);
        services.AddSingleton<GatewayMetrics>();
        return builder;
    }
}
