using System.Runtime.CompilerServices;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Serving;
using EpdCluster.Runtime.Client;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// The disaggregated backend: requests run through encode, prefill and decode workers of the Orleans cluster.
/// Ready when every role has at least one worker whose model is loaded.
/// </summary>
internal sealed class ClusterBackend(IGrainFactory grains, ClusterGenerationClient client) : IGenerationBackend
{
    public async ValueTask<BackendStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<WorkerInfo> workers;
        try
        {
            workers = await grains.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return BackendStatus.NotReady(BackendUnavailableException.NoWorkersCode, $"The worker directory is unreachable: {e.Message}");
        }

        var missing = WorkerRoles.All.Where(role => !workers.Any(w => w.Has(role) && w.Load.TotalKvBlocks > 0)).ToList();
        return missing.Count == 0
            ? BackendStatus.Ready
            : BackendStatus.NotReady(BackendUnavailableException.NoWorkersCode, $"No loaded {string.Join(", ", missing.Select(r => r.ToWireName()))} worker in the cluster yet.");
    }

    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(GenerationInput input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var images = input.Images.Select((image, i) => new ClusterImage(image, input.ImageHashes[i])).ToList();

        // Ids are unique per worker engine; a random 63-bit id keeps several gateways from colliding.
        var requestId = Random.Shared.NextInt64(1, long.MaxValue);
        var trace = new GenerationTrace();
        var tokens = client.GenerateAsync(requestId, input.Prompt, images, input.Sampling, trace, input.KvCodec, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await MoveNextAsync(tokens))
            {
                input.Report.CachedPromptTokens = trace.CachedPromptTokens;
                yield return tokens.Current;
            }
        }
        finally
        {
            await tokens.DisposeAsync();
        }
    }

    private static async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<GeneratedToken> tokens)
    {
        try
        {
            return await tokens.MoveNextAsync();
        }
        catch (NoWorkersException e)
        {
            throw new BackendUnavailableException(BackendUnavailableException.NoWorkersCode, e.Message);
        }
    }
}
