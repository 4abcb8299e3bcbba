using System.Diagnostics;
using System.Net;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Kv;
using EpdCluster.Runtime.Telemetry;
using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer.Kv;
using EpdCluster.Transfer.Kv.Codecs;
using Microsoft.Extensions.Logging;
using TransferOptions = EpdCluster.Transfer.TransferOptions;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// On a prefill worker: encodes a parked request's KV with its codec (the request's, or the cluster's
/// <c>Epd:Transfer:KvCodec</c>), sends it to its decode worker — over the direct channel, falling back to Redis when
/// that fails — then frees the blocks here. A hand-off that fails altogether tells the decode worker, which frees
/// its reservation at once instead of waiting out the lease.
/// </summary>
internal sealed partial class KvHandOff(
    WorkerEngineHost host,
    IGrainFactory grains,
    KvTransferClient direct,
    KvRedisStore store,
    KvCompressor compressor,
    TransferOptions options,
    WorkerMetrics metrics,
    ILogger<KvHandOff> logger)
{
    private const string DirectTransport = WorkerMetrics.DirectTransport;
    private const string RedisTransport = WorkerMetrics.RedisTransport;
    private const string MetricTransportTag = "epd.kv_transport";

    /// <summary>The codec for this request's prompt (LOOK-M only applies to prompts with images).</summary>
    public KvCodecSpec CodecFor(PrefillCommand command) =>
        (command.KvCodec is { } requested ? KvCodecSpec.Parse(requested) : options.KvCodecSpec).ForPrompt(command.Images.Count > 0);

    /// <summary>Probe positions to capture while prefilling, when the request's codec ranks tokens by attention.</summary>
    public KvProbeSettings? ProbesFor(PrefillCommand command) =>
        CodecFor(command).NeedsSaliency(command.Images.Count > 0) ? compressor.Probes : null;

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
            var (transfer, bytes) = await EncodeAsync(command);
            activity?.SetTag("epd.kv_bytes", bytes.Length);
            if (useDirect)
            {
                var endpoint = command.DecodeTransferEndpoint!;
                try
                {
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

            await store.PutAsync(transfer, bytes);
            await decode.KvStored(command.RequestId, transfer.BlockCount);
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

    /// <summary>Raw fp32 blocks for <c>none</c> (today's frames); otherwise the snapshot encoded off the inference thread.</summary>
    private async Task<(KvTransfer Transfer, byte[] Bytes)> EncodeAsync(PrefillCommand command)
    {
        var llm = host.Engine.Llm;
        var spec = CodecFor(command);
        if (spec.IsRaw)
        {
            var blocks = await llm.ExportParkedAsync(command.RequestId);
            return (new KvTransfer(command.RequestId, blocks.Length / llm.BytesPerBlock, llm.BytesPerBlock) { ModelId = host.ModelId }, blocks);
        }

        var kv = await llm.ExportParkedKvAsync(command.RequestId, spec.NeedsSaliency(command.Images.Count > 0));
        var (encoding, bytes) = compressor.Encode(kv, spec);
        LogEncoded(logger, command.RequestId, encoding.ToString(), kv.Tokens, encoding.Slots, bytes.Length, kv.Data.Length * sizeof(float));
        return (new KvTransfer(command.RequestId, kv.Blocks, llm.BytesPerBlock) { ModelId = host.ModelId, Encoding = encoding }, bytes);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "KV of request {RequestId} encoded as {Codec}: {Tokens} tokens in {Slots} slots, {Bytes} bytes (fp32 blocks: {RawBytes})")]
    private static partial void LogEncoded(ILogger logger, long requestId, string codec, int tokens, int slots, int bytes, int rawBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Direct KV transfer of request {RequestId} to {Endpoint} failed ({Reason}); falling back to Redis")]
    private static partial void LogDirectFailed(ILogger logger, long requestId, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "KV hand-off of request {RequestId} to decode worker {DecodeWorker} failed: {Reason}")]
    private static partial void LogHandOffFailed(ILogger logger, long requestId, string decodeWorker, string reason);
}
