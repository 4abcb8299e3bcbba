using System.Diagnostics;
using System.Net;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Runtime.Telemetry;
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
    WorkerMetrics metrics,
    ILogger<KvHandOff> logger)
{
    private const string DirectTransport = WorkerMetrics.DirectTransport;
    private const string RedisTransport = WorkerMetrics.RedisTransport;

    public async Task SendAsync(PrefillCommand command)
    {
        var llm = host.Engine.Llm;
        var decode = grains.GetGrain<IDecodeWorkerGrain>(command.DecodeWorkerId);
        var useDirect = command.Transport == KvTransport.Direct && command.DecodeTransferEndpoint is not null;
        var transport = useDirect ? DirectTransport : RedisTransport;
        using var activity = EpdTelemetry.RuntimeActivitySource.StartActivity("kv transfer");
        activity?.SetTag(EpdTelemetry.ClusterRequestIdTag, command.RequestId);
        activity?.SetTag("epd.decode_worker", command.DecodeWorkerId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var bytes = await llm.ExportParkedAsync(command.RequestId);
            activity?.SetTag("epd.kv_bytes", bytes.Length);
            if (useDirect)
            {
                var endpoint = command.DecodeTransferEndpoint!;
                try
                {
                    var transfer = new KvTransfer(command.RequestId, bytes.Length / llm.BytesPerBlock, llm.BytesPerBlock) { ModelId = host.ModelId };
                    await direct.SendAsync(IPEndPoint.Parse(endpoint), transfer, bytes);
                    metrics.RecordTransfer(DirectTransport, bytes.Length, Stopwatch.GetElapsedTime(started));
                    activity?.SetTag(MetricTransportTag, DirectTransport);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    metrics.RecordTransferFailure(DirectTransport);
                    LogDirectFailed(logger, command.RequestId, endpoint, e.Message);
                    transport = RedisTransport;
                    started = Stopwatch.GetTimestamp();
                }
            }

            await store.PutAsync(command.RequestId, bytes, llm.BytesPerBlock);
            await decode.KvStored(command.RequestId, bytes.Length / llm.BytesPerBlock);
            metrics.RecordTransfer(RedisTransport, bytes.Length, Stopwatch.GetElapsedTime(started));
            activity?.SetTag(MetricTransportTag, RedisTransport);
        }
        catch (Exception e)
        {
            metrics.RecordTransferFailure(transport);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
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

    private const string MetricTransportTag = "epd.kv_transport";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Direct KV transfer of request {RequestId} to {Endpoint} failed ({Reason}); falling back to Redis")]
    private static partial void LogDirectFailed(ILogger logger, long requestId, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "KV hand-off of request {RequestId} to decode worker {DecodeWorker} failed: {Reason}")]
    private static partial void LogHandOffFailed(ILogger logger, long requestId, string decodeWorker, string reason);
}
