namespace EpdCluster.Abstractions.Workers;

/// <summary>The decode role of one worker (placed on that worker's silo).</summary>
[Alias("epd.IDecodeWorkerGrain")]
public interface IDecodeWorkerGrain : IGrainWithStringKey
{
    /// <summary>Reserves KV blocks for <paramref name="tokens"/> tokens under a lease; fails when the pool cannot spare them.</summary>
    [Alias("Reserve")]
    Task<int> Reserve(long requestId, int tokens);

    /// <summary>Streams the tokens after the first, once the KV blocks have arrived.</summary>
    [Alias("Decode")]
    IAsyncEnumerable<StreamedToken> Decode(DecodeCommand command, CancellationToken cancellationToken = default);

    /// <summary>Tells the worker the request's KV blocks wait in Redis (Redis transport, or the direct channel's fallback): pull them.</summary>
    [Alias("KvStored")]
    Task KvStored(long requestId, int blockCount);

    /// <summary>Tells the worker the KV hand-off for a request failed, so it stops waiting and frees the reservation.</summary>
    [Alias("TransferFailed")]
    Task TransferFailed(long requestId, string reason);

    /// <summary>Stops the request here and frees its blocks.</summary>
    [Alias("Abort")]
    Task Abort(long requestId);
}
