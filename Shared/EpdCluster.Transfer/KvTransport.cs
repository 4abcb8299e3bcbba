namespace EpdCluster.Transfer;

/// <summary>How prefill hands KV blocks to decode.</summary>
public enum KvTransport
{
    /// <summary>The TCP side channel between workers (<see cref="Kv.KvTransferServer"/> / <see cref="Kv.KvTransferClient"/>).</summary>
    Direct,

    /// <summary>Frames under short-lived Redis keys (<see cref="Kv.RedisKvBlockStore"/>): slower, but needs no route between workers.</summary>
    Redis,
}
