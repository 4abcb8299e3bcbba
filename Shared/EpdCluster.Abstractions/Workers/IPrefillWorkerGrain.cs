namespace EpdCluster.Abstractions.Workers;

/// <summary>The prefill role of one worker (placed on that worker's silo).</summary>
[Alias("epd.IPrefillWorkerGrain")]
public interface IPrefillWorkerGrain : IGrainWithStringKey
{
    /// <summary>Returns as soon as the first token is sampled; the KV hand-off to decode continues after it.</summary>
    [Alias("Prefill")]
    Task<PrefillResult> Prefill(PrefillCommand command, CancellationToken cancellationToken = default);

    /// <summary>Stops the request here and frees its blocks.</summary>
    [Alias("Abort")]
    Task Abort(long requestId);
}
