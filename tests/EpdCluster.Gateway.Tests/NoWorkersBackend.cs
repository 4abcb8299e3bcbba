using EpdCluster.Engine.Serving;

using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.Tests;

/// <summary>A backend as the cluster backend behaves with no workers: never ready, every request fails with 503.</summary>
internal sealed class NoWorkersBackend : IGenerationBackend
{
    public const string Message = "No inference workers are reachable.";

    public ValueTask<BackendStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(BackendStatus.NotReady(BackendUnavailableException.NoWorkersCode, Message));

    public IAsyncEnumerable<GeneratedToken> GenerateAsync(GenerationInput input, CancellationToken cancellationToken) =>
        throw new BackendUnavailableException(BackendUnavailableException.NoWorkersCode, Message);
}
