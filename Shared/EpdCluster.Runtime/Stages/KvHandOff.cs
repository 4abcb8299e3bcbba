using System.Net;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer.Kv;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// On a prefill worker: sends a parked request's KV blocks to its decode worker — over the direct channel, falling
/// back to Redis when that fails — then frees them here. A hand-off that fails altogether tells the decode worker,
/// which frees its reservation at once instead of waiting out the lease.
/// </summary>
internal sealed partial class KvHandOff(
    WorkerEngineHost host,
    IGrainFactory grains,
    KvTransferClient direct,
    KvRedisStore store,
    ILogger<KvHandOff> logger)
{
    public async Task SendAsync(PrefillCommand command)
    {
        var llm = host.Engine.Llm;
        var decode = grains.GetGrain<IDecodeWorkerGrain>(command.DecodeWorkerId);
        try
        {
            var bytes = await llm.ExportParkedAsync(command.RequestId);
            if (command.Transport == KvTransport.Direct && command.DecodeTransferEndpoint is { } endpoint)
            {
                try
                {
                    var transfer = new KvTransfer(command.RequestId, bytes.Length / llm.BytesPerBlock, llm.BytesPerBlock) { ModelId = host.ModelId };
                    await direct.SendAsync(IPEndPoint.Parse(endpoint), transfer, bytes);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogDirectFailed(logger, command.RequestId, endpoint, e.Message);
                }
            }

            await store.PutAsync(command.RequestId, bytes, llm.BytesPerBlock);
            await decode.KvStored(command.RequestId, bytes.Length / llm.BytesPerBlock);
        }
        catch (Exception e)
        {
            LogHandOffFailed(logger, command.RequestId, command.DecodeWorkerId, e.Message);
            try
            {
                await decode.TransferFailed(command.RequestId, e.Message);
            }
            catch (Exception notify)
            {
                LogHandOffFailed(logger, command.RequestId, command.DecodeWorkerId, notify.Message);
            }
        }
        finally
        {
            await llm.ReleaseParkedAsync(command.RequestId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Direct KV transfer of request {RequestId} to {Endpoint} failed ({Reason}); falling back to Redis")]
    private static partial void LogDirectFailed(ILogger logger, long requestId, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "KV hand-off of request {RequestId} to decode worker {DecodeWorker} failed: {Reason}")]
    private static partial void LogHandOffFailed(ILogger logger, long requestId, string decodeWorker, string reason);
}
