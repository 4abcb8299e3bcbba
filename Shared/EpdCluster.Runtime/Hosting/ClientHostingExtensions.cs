using Microsoft.Extensions.Configuration;
using EpdCluster.Engine.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace EpdCluster.Runtime.Hosting;

/// <summary>Composes an Orleans client (the gateway's link to the workers) over the configured clustering.</summary>
public static class ClientHostingExtensions
{
    public static IHostApplicationBuilder AddEpdClusterClient(this IHostApplicationBuilder builder)
    {
        var cluster = builder.Configuration.ReadEpdClusterOptions();
        var model = builder.Configuration.GetSection(ModelOptions.SectionName).Get<ModelOptions>() ?? new ModelOptions();
        model.Validate();
        builder.Services.AddEpdDataPlane(cluster, builder.Configuration.ReadTransferOptions(), model);
        builder.Services.AddEpdClusterGeneration(model);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
            switch (cluster.Clustering)
            {
                case ClusteringMode.Redis:
                    client.UseRedisClustering(cluster.Redis!);
                    break;
                default:
                    client.UseLocalhostClustering(cluster.GatewayPort);
                    break;
            }

            client.AddActivityPropagation();
            client.UseConnectionRetryFilter(new GatewayConnectionRetryFilter(cluster.ClientConnectTimeout));
        });

        return builder;
    }
}
