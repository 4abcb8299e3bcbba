using EpdCluster.Transfer;
using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Kv;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// The Redis KV transport as the stages use it: whole transfers in, whole transfers out. Absent (null store) when
/// the cluster runs without Redis, where only the direct channel exists.
/// </summary>
internal sealed class KvRedisStore(RedisKvBlockStore? store, string modelId)
{
    public async Task PutAsync(long requestId, byte[] blocks, int bytesPerBlock)
    {
        var redis = store ?? throw new InvalidOperationException("The Redis KV transport needs Redis (Epd:Cluster:Redis).");
        await redis.WriteAsync(new KvTransfer(requestId, blocks.Length / bytesPerBlock, bytesPerBlock) { ModelId = modelId }, blocks);
    }

    /// <summary>Takes the request's blocks out of Redis (deleting them); throws when they are not there.</summary>
    public async Task<byte[]> TakeAsync(long requestId, int blockCount, int bytesPerBlock)
    {
        var redis = store ?? throw new InvalidOperationException("The Redis KV transport needs Redis (Epd:Cluster:Redis).");
        var bytes = new byte[(long)blockCount * bytesPerBlock];
        Memory<byte> Land(FrameHeader header) => bytes.AsMemory(checked((int)header.Offset), checked((int)header.PayloadLength));
        return await redis.TryReadAsync(requestId, Land)
            ? bytes
            : throw new InvalidOperationException($"The KV blocks of request {requestId} are not in Redis (expired after {TransferOptions.DefaultKvTtl.TotalSeconds:0} s, or never written).");
    }
}
