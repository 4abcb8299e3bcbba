using System.Runtime.CompilerServices;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Serving;
using EpdCluster.Runtime.Hosting;
using EpdCluster.Runtime.Placement;
using EpdCluster.Runtime.Workers;
using Orleans.Concurrency;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// Decode role: reserves blocks before prefill runs, receives the KV blocks (direct channel or Redis), then decodes
/// the request inside its continuous batch and streams tokens to the gateway. Cancelling frees everything.
/// </summary>
[WorkerPlacement]
[Reentrant]
internal sealed class DecodeWorkerGrain(WorkerEngineHost host, WorkerIdentity identity, KvArrivals arrivals, KvRedisStore store, EngineOptions options) : Grain, IDecodeWorkerGrain
{
    public async Task<int> Reserve(long requestId, int tokens)
    {
        if (!identity.Accepts(WorkerRole.Decode))
        {
            // Routing read the directory before this worker started draining (or changed role): the caller picks another.
            throw new InvalidOperationException($"Worker {identity.WorkerId} takes no new decode work (draining or no longer a decode worker).");
        }

        var blocks = await host.Engine.Llm.ReserveAsync(requestId, tokens);
        arrivals.Expect(requestId);
        return blocks;
    }

    public async IAsyncEnumerable<StreamedToken> Decode(DecodeCommand command, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var llm = host.Engine.Llm;
        try
        {
            await arrivals.WaitAsync(command.RequestId, options.KvLease, cancellationToken);
        }
        finally
        {
            arrivals.Forget(command.RequestId);
        }

        var stream = llm.SubmitPrefilled(new GenerationRequest(command.RequestId, command.PromptIds, [], command.Sampling.ToParams()), command.FirstToken);
        using var abort = cancellationToken.Register(() => llm.Abort(command.RequestId));
        var completed = false;
        try
        {
            await foreach (var token in stream.ReadAllAsync(CancellationToken.None))
            {
                yield return new StreamedToken(token.TokenId, token.Index, token.Finish.ToWire());
            }

            completed = true;
        }
        finally
        {
            if (!completed)
            {
                llm.Abort(command.RequestId);
            }
        }
    }

    public async Task KvStored(long requestId, int blockCount)
    {
        try
        {
            var bytes = await store.TakeAsync(requestId, blockCount, host.Engine.Llm.BytesPerBlock);
            await host.Engine.Llm.ImportAsync(requestId, bytes);
            arrivals.Arrived(requestId);
        }
        catch (Exception e)
        {
            arrivals.Failed(requestId, e.Message);
            host.Engine.Llm.Abort(requestId);
            throw;
        }
    }

    public Task TransferFailed(long requestId, string reason)
    {
        arrivals.Failed(requestId, reason);
        host.Engine.Llm.Abort(requestId);
        return Task.CompletedTask;
    }

    public Task Abort(long requestId)
    {
        host.Engine.Llm.Abort(requestId);
        arrivals.Failed(requestId, "the request was aborted");
        arrivals.Forget(requestId);
        return Task.CompletedTask;
    }
}
