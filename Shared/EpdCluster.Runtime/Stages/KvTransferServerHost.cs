using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer.Kv;
using Microsoft.Extensions.Hosting;

namespace EpdCluster.Runtime.Stages;

/// <summary>Starts this worker's KV transfer listener and publishes its endpoint for the directory.</summary>
internal sealed class KvTransferServerHost(KvTransferServer server, WorkerTransferEndpoint endpoint) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        server.Start();
        endpoint.Endpoint = server.EndPoint.ToString();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        endpoint.Endpoint = null;
        await server.DisposeAsync();
    }
}
