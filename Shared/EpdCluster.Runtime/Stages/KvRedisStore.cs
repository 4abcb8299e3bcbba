using EpdCluster.Transfer;
using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Kv;
using EpdCluster.Transfer.Kv.Codecs;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// The Redis KV transport as the stages use it: whole transfers in, whole transfers out. Absent (null store) when
/// the cluster runs without Redis, where only the direct channel exists.
/// </summary>
internal sealed class KvRedisStore(RedisKvBlockStore? store, string modelId)
{
    public async Task PutAsync(KvTransfer transfer, byte[] bytes)
    {
        var redis = store ?? throw new InvalidOperationException("The Redis KV transport needs Redis (Epd:Cluster:Redis).");
        await redis.WriteAsync(transfer with { ModelId = modelId }, bytes);
    }

    /// <summary>Takes the request's blocks out of Redis (deleting them), with their encoding (null: raw blocks); throws when they are not there.</summary>
    public async Task<(KvEncoding? Encoding, byte[] Bytes)> TakeAsync(long requestId, int blockCount, int bytesPerBlock)
    {
        var redis = store ?? throw new InvalidOperationException("The Redis KV transport needs Redis (Epd:Cluster:Redis).");
        byte[]? bytes = null;
        KvEncoding? encoding = null;
        Memory<byte> Land(FrameHeader header)
        {
            if (bytes is null)
            {
                encoding = header.KvEncoding;
                bytes = new byte[encoding?.EncodedBytes ?? (long)blockCount * bytesPerBlock];
            }

            return header.KvEncoding == encoding
                ? bytes.AsMemory(checked((int)header.Offset), checked((int)header.PayloadLength))
                : throw new KvTransferException(requestId, $"Frame {header.Index} of KV transfer {requestId} in Redis changes its encoding.");
        }

        return await redis.TryReadAsync(requestId, Land) && bytes is not null
            ? (encoding, bytes)
            : throw new InvalidOperationException($"The KV blocks of request {requestId} are not in Redis (expired after {TransferOptions.DefaultKvTtl.TotalSeconds:0} s, or never written).");
    }
}
