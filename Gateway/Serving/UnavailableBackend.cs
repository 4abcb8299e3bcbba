using EpdCluster.Engine.Serving;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// The backend of the cluster-client mode until the disaggregated one exists: never ready, every request
/// fails with 503 saying that no inference workers are reachable.
/// </summary>
internal sealed class UnavailableBackend : IGenerationBackend
{
    public const string Message =
        "No inference workers are reachable: this gateway runs as a cluster client (Epd:Gateway:EmbeddedWorker=false) "
        + "and has no backend that reaches the workers yet. Run it all-in-one (Epd:Gateway:EmbeddedWorker=true) to serve.";

    public ValueTask<BackendStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(BackendStatus.NotReady(BackendUnavailableException.NoWorkersCode, Message));

    public IAsyncEnumerable<GeneratedToken> GenerateAsync(GenerationInput input, CancellationToken cancellationToken) =>
        throw new BackendUnavailableException(BackendUnavailableException.NoWorkersCode, Message);
}
