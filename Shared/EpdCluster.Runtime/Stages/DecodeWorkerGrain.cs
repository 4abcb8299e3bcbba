using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Serving;
using EpdCluster.Runtime.Hosting;
using EpdCluster.Runtime.Placement;
using EpdCluster.Runtime.Switching;
using EpdCluster.Runtime.Workers;
using Orleans.Concurrency;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// Decode role: reserves blocks before prefill runs, receives the KV blocks (direct channel or Redis), then decodes
/// the request inside its continuous batch and streams tokens to the gateway. Cancelling frees everything. When a
/// role switch moves a request away, its stream ends with a marker naming the worker that continues it.
/// </summary>
[WorkerPlacement]
[Reentrant]
internal sealed class DecodeWorkerGrain(
    WorkerEngineHost host,
    WorkerIdentity identity,
    KvArrivals arrivals,
    KvRedisStore store,
    KvReceiver receiver,
    EngineOptions options,
    DecodeSessions sessions,
    AdoptedStreams adopted) : Grain, IDecodeWorkerGrain
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
        await WaitForKvAsync(command.RequestId, cancellationToken);
        var request = new GenerationRequest(command.RequestId, command.PromptIds, [], command.Sampling.ToParams());
        var tokens = host.Engine.Llm.SubmitPrefilled(request, command.FirstToken);
        await foreach (var token in StreamAsync(command.RequestId, command.PromptIds, command.Sampling, tokens, cancellationToken))
        {
            yield return token;
        }
    }

    public async Task Adopt(MigrateCommand command)
    {
        await WaitForKvAsync(command.RequestId, CancellationToken.None);
        var request = new GenerationRequest(command.RequestId, command.PromptIds, [], command.Sampling.ToParams());
        adopted.Add(command, host.Engine.Llm.SubmitMigrated(request, command.GeneratedTokens));
    }

    public async IAsyncEnumerable<StreamedToken> Resume(long requestId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (command, tokens) = adopted.Claim(requestId)
            ?? throw new InvalidOperationException($"Request {requestId} is not waiting on worker {identity.WorkerId} (never moved here, or not resumed within the resume timeout).");
        await foreach (var token in StreamAsync(requestId, command.PromptIds, command.Sampling, tokens, cancellationToken))
        {
            yield return token;
        }
    }

    public async Task KvStored(long requestId, int blockCount)
    {
        try
        {
            var (encoding, bytes) = await store.TakeAsync(requestId, blockCount, host.Engine.Llm.BytesPerBlock);
            await receiver.ImportAsync(requestId, encoding, bytes);
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
        adopted.Claim(requestId);
        return Task.CompletedTask;
    }

    private async Task WaitForKvAsync(long requestId, CancellationToken cancellationToken)
    {
        try
        {
            await arrivals.WaitAsync(requestId, options.KvLease, cancellationToken);
        }
        finally
        {
            arrivals.Forget(requestId);
        }
    }

    /// <summary>
    /// Streams a decoding request's tokens while it is a session here (a drain may move it). Its tokens end with a
    /// finish, or — when it moved — with the marker naming where it continues.
    /// </summary>
    private async IAsyncEnumerable<StreamedToken> StreamAsync(
        long requestId, int[] promptIds, SamplingSpec sampling, ChannelReader<GeneratedToken> tokens, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var llm = host.Engine.Llm;
        var session = sessions.Open(requestId, promptIds, sampling);
        using var abort = cancellationToken.Register(() => llm.Abort(requestId));
        var ended = false;
        try
        {
            await foreach (var token in tokens.ReadAllAsync(CancellationToken.None))
            {
                ended = token.Finish is not null;
                yield return new StreamedToken(token.TokenId, token.Index, token.Finish.ToWire());
            }

            if (!ended)
            {
                var movedTo = session.MovedTo ?? throw new InvalidOperationException($"The token stream of request {requestId} ended without a finish.");
                ended = true;
                yield return StreamedToken.Moved(movedTo);
            }
        }
        finally
        {
            sessions.Close(session);
            if (!ended)
            {
                llm.Abort(requestId);
            }
        }
    }
}
