namespace EpdCluster.Transfer.Multimodal;

/// <summary>Thread-safe counts of whole-image lookups: a hit found every tile, a miss lacked at least one.</summary>
public sealed class MultimodalCacheCounters
{
    private long _hits;
    private long _misses;
    private long _corruptTiles;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Tiles whose stored value failed its checksum or header check and was removed.</summary>
    public long CorruptTiles => Interlocked.Read(ref _corruptTiles);

    internal void Hit() => Interlocked.Increment(ref _hits);

    internal void Miss() => Interlocked.Increment(ref _misses);

    internal void Corrupt() => Interlocked.Increment(ref _corruptTiles);

    public override string ToString() => $"hits {Hits}, misses {Misses}, corrupt tiles {CorruptTiles}";
}
