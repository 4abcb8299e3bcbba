using System.Diagnostics;
using System.Net;
using EpdCluster.Abstractions;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Hosting;
using EpdCluster.Runtime.Stages;
using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer;
using EpdCluster.Transfer.Kv;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Switching;

/// <summary>
/// Moves this worker's decoding requests to other decode workers: reserve there, pause the sequence here between two
/// steps, send its KV blocks (direct channel, Redis on failure), let the target continue it, then end the stream
/// here with a "moved" marker the gateway follows. A move that fails resumes the sequence here: nothing is lost.
/// </summary>
internal sealed partial class DecodeMigrator(
    WorkerEngineHost host,
    WorkerIdentity identity,
    DecodeSessions sessions,
    IGrainFactory grains,
    KvTransferClient direct,
    KvRedisStore store,
    TransferOptions transfer,
    ILogger<DecodeMigrator> logger)
{
    /// <summary>Moves every request decoding here that has not moved yet; returns how many moved and the longest pause one saw.</summary>
    public async Task<(int Moved, TimeSpan LongestPause)> MoveAllAsync(CancellationToken cancellationToken)
    {
        var pending = sessions.Unmoved();
        if (pending.Count == 0)
        {
            return (0, TimeSpan.Zero);
        }

        var targets = (await grains.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers())
            .Where(w => w.WorkerId != identity.WorkerId && w.Accepts(WorkerRole.Decode) && w.Load.TotalKvBlocks > 0)
            .OrderByDescending(w => w.Load.FreeKvBlocks)
            .ToList();
        if (targets.Count == 0)
        {
            LogNoTarget(logger, identity.WorkerId, pending.Count);
            return (0, TimeSpan.Zero);
        }

        var moved = 0;
        var longest = TimeSpan.Zero;
        foreach (var (session, i) in pending.Select((s, i) => (s, i)))
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Spread the moves: start each at the next target, try the others while targets refuse it.
            for (var t = 0; t < targets.Count; t++)
            {
                var outcome = await TryMoveAsync(session, targets[(i + t) % targets.Count]);
                if (outcome.Moved)
                {
                    moved++;
                    longest = outcome.Pause > longest ? outcome.Pause : longest;
                }

                if (!outcome.TryAnotherTarget)
                {
                    break;
                }
            }
        }

        return (moved, longest);
    }

    /// <summary>Moves one request to <paramref name="target"/>: whether it moved (and the pause it saw), else whether another target may take it.</summary>
    private async Task<MoveOutcome> TryMoveAsync(DecodeSession session, WorkerInfo target)
    {
        var llm = host.Engine.Llm;
        var requestId = session.RequestId;
        var targetGrain = grains.GetGrain<IDecodeWorkerGrain>(target.WorkerId);
        try
        {
            await targetGrain.Reserve(requestId, session.PromptIds.Length + session.Sampling.MaxTokens);
        }
        catch (Exception e)
        {
            LogMoveFailed(logger, requestId, identity.WorkerId, target.WorkerId, "reservation refused: " + e.Message);
            return MoveOutcome.Refused;
        }

        var paused = Stopwatch.GetTimestamp();
        var suspended = await llm.SuspendAsync(requestId);
        var suspendedAt = Stopwatch.GetTimestamp();
        if (suspended is null)
        {
            // Finished (or aborted) meanwhile, or not decoding yet: free the reservation there.
            await AbortQuietlyAsync(targetGrain, requestId);
            return MoveOutcome.Stayed;
        }

        long sentAt;
        try
        {
            await SendKvAsync(target, targetGrain, requestId, suspended.Blocks);
            sentAt = Stopwatch.GetTimestamp();
            await targetGrain.Adopt(new MigrateCommand(requestId, session.PromptIds, suspended.GeneratedTokens, session.Sampling, identity.WorkerId));
        }
        catch (Exception e)
        {
            LogMoveFailed(logger, requestId, identity.WorkerId, target.WorkerId, e.Message);
            await llm.ResumeSuspendedAsync(requestId);
            await AbortQuietlyAsync(targetGrain, requestId);
            return MoveOutcome.Refused;
        }

        session.MovedTo = target.WorkerId;
        if (!await llm.ReleaseSuspendedAsync(requestId))
        {
            // The client left during the move (the abort ended the stream here): stop the copy there too.
            await AbortQuietlyAsync(targetGrain, requestId);
            return MoveOutcome.Stayed;
        }

        var pause = Stopwatch.GetElapsedTime(paused);
        LogMoved(logger, requestId, identity.WorkerId, target.WorkerId, suspended.GeneratedTokens.Length, suspended.Blocks.Length / llm.BytesPerBlock, pause.TotalMilliseconds,
            Stopwatch.GetElapsedTime(paused, suspendedAt).TotalMilliseconds, Stopwatch.GetElapsedTime(suspendedAt, sentAt).TotalMilliseconds);
        return new MoveOutcome(true, false, pause);
    }

    private async Task SendKvAsync(WorkerInfo target, IDecodeWorkerGrain targetGrain, long requestId, byte[] blocks)
    {
        var bytesPerBlock = host.Engine.Llm.BytesPerBlock;
        var kv = new KvTransfer(requestId, blocks.Length / bytesPerBlock, bytesPerBlock) { ModelId = host.ModelId };
        if (transfer.KvTransport == Transfer.KvTransport.Direct && target.TransferEndpoint is { } endpoint)
        {
            try
            {
                await direct.SendAsync(IPEndPoint.Parse(endpoint), kv, blocks);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDirectFailed(logger, requestId, endpoint, e.Message);
            }
        }

        await store.PutAsync(kv, blocks);
        await targetGrain.KvStored(requestId, kv.BlockCount);
    }

    private async Task AbortQuietlyAsync(IDecodeWorkerGrain target, long requestId)
    {
        try
        {
            await target.Abort(requestId);
        }
        catch (Exception e)
        {
            // Its reservation lease frees the blocks anyway.
            LogMoveFailed(logger, requestId, identity.WorkerId, target.GetPrimaryKeyString(), "abort there failed: " + e.Message);
        }
    }

    private readonly record struct MoveOutcome(bool Moved, bool TryAnotherTarget, TimeSpan Pause)
    {
        public static MoveOutcome Refused => new(false, true, TimeSpan.Zero);

        /// <summary>Not movable now (finished, aborted, or not decoding yet): a later drain round sees it again if it still streams.</summary>
        public static MoveOutcome Stayed => new(false, false, TimeSpan.Zero);
    }
}
