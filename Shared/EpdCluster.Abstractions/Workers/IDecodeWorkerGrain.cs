namespace EpdCluster.Abstractions.Workers;

/// <summary>The decode role of one worker (placed on that worker's silo).</summary>
[Alias("epd.IDecodeWorkerGrain")]
public interface IDecodeWorkerGrain : IGrainWithStringKey
{
    /// <summary>Reserves KV blocks for <paramref name="tokens"/> tokens under a lease; fails when the pool cannot spare them.</summary>
    [Alias("Reserve")]
    Task<int> Reserve(long requestId, int tokens);

    /// <summary>
    /// Streams the tokens after the first, once the KV blocks have arrived. A stream whose request moves to another
    /// worker ends with <see cref="StreamedToken.Moved"/>: continue with <see cref="Resume"/> there.
    /// </summary>
    [Alias("Decode")]
    IAsyncEnumerable<StreamedToken> Decode(DecodeCommand command, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes over a request that was decoding on another worker (a role switch drains it): its KV blocks are in the
    /// reservation made here (<see cref="Reserve"/>) or on their way; decoding continues at once and the tokens wait
    /// for the gateway's <see cref="Resume"/>.
    /// </summary>
    [Alias("Adopt")]
    Task Adopt(MigrateCommand command);

    /// <summary>Streams the tokens of a request adopted here, from the first one its previous worker did not stream.</summary>
    [Alias("Resume")]
    IAsyncEnumerable<StreamedToken> Resume(long requestId, CancellationToken cancellationToken = default);

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
