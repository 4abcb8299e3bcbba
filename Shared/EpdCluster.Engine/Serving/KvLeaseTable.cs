using System.Diagnostics;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Telemetry;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// The KV blocks an engine holds for requests between stages: reserved for an incoming transfer, or parked after a
/// prefill until they are exported. Every lease ends at a deadline, so memory whose peer never comes back is freed,
/// not stranded; leased blocks are reported as <c>epd_kv_leased_blocks</c>. Touched only on the inference thread.
/// </summary>
internal sealed class KvLeaseTable<TLease>(KvBlockAllocator allocator, TimeSpan duration, EngineMetrics? metrics, Func<int[], long, int, TLease> newReservation)
    where TLease : BlockLease
{
    private readonly Dictionary<long, TLease> _reserved = [];
    private readonly Dictionary<long, TLease> _parked = [];

    public int ReservedCount => _reserved.Count;

    public int ParkedCount => _parked.Count;

    /// <summary>The deadline of a lease taken now.</summary>
    public long Deadline() => Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Leases <paramref name="blocks"/> free blocks for a transfer of <paramref name="tokens"/> tokens; fails when the pool cannot spare them above its watermark.</summary>
    public void Reserve(long requestId, int blocks, int tokens)
    {
        if (_reserved.ContainsKey(requestId))
        {
            throw new InvalidOperationException($"Request {requestId} already holds a KV reservation.");
        }

        if (!allocator.CanAllocate(blocks, keepWatermark: true))
        {
            metrics?.RecordReservation(granted: false);
            throw new InvalidOperationException($"Cannot reserve {blocks} KV blocks for request {requestId}: {allocator.FreeBlocks} of {allocator.TotalBlocks} are free.");
        }

        _reserved[requestId] = newReservation(allocator.Allocate(blocks), Deadline(), tokens);
        metrics?.RecordReservation(granted: true);
        metrics?.RecordLeaseTaken(KvLeaseKind.Reserved, blocks);
    }

    /// <summary>The request's reservation; throws when it has none (expired or never made).</summary>
    public TLease Reserved(long requestId) =>
        _reserved.TryGetValue(requestId, out var lease) ? lease : throw new InvalidOperationException($"Request {requestId} has no KV reservation here (expired or never made).");

    /// <summary>The request's parked blocks; throws when it has none (expired or released).</summary>
    public TLease Parked(long requestId) =>
        _parked.TryGetValue(requestId, out var lease) ? lease : throw new InvalidOperationException($"Request {requestId} has no parked KV blocks here (expired or released).");

    /// <summary>Ends the request's reservation without freeing its blocks, which pass to whoever takes them; null when it has none.</summary>
    public TLease? TakeReserved(long requestId)
    {
        if (!_reserved.Remove(requestId, out var lease))
        {
            return null;
        }

        metrics?.RecordLeaseReleased(KvLeaseKind.Reserved, lease.Blocks.Length, expired: false);
        return lease;
    }

    /// <summary>Keeps a prefilled request's blocks under a lease until they are exported and released.</summary>
    public void Park(long requestId, TLease lease)
    {
        _parked[requestId] = lease;
        metrics?.RecordLeaseTaken(KvLeaseKind.Parked, lease.Blocks.Length);
    }

    /// <summary>Returns a reservation's blocks past the first <paramref name="blocks"/> to the pool.</summary>
    public void Shrink(TLease lease, int blocks)
    {
        allocator.Free(lease.Blocks[blocks..]);
        metrics?.RecordLeaseReleased(KvLeaseKind.Reserved, lease.Blocks.Length - blocks, expired: false);
        lease.Blocks = lease.Blocks[..blocks];
    }

    /// <summary>Frees the request's reservation, if it holds one.</summary>
    public bool ReleaseReserved(long requestId) => Release(_reserved, KvLeaseKind.Reserved, requestId, expired: false);

    /// <summary>Frees the request's parked blocks, if it holds any.</summary>
    public bool ReleaseParked(long requestId) => Release(_parked, KvLeaseKind.Parked, requestId, expired: false);

    /// <summary>Frees every lease past its deadline; true if any was.</summary>
    public bool Expire()
    {
        if (_reserved.Count == 0 && _parked.Count == 0)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        var expired = false;
        foreach (var (leases, kind) in new[] { (_reserved, KvLeaseKind.Reserved), (_parked, KvLeaseKind.Parked) })
        {
            foreach (var id in leases.Where(kv => kv.Value.DeadlineTimestamp <= now).Select(kv => kv.Key).ToList())
            {
                expired |= Release(leases, kind, id, expired: true);
            }
        }

        return expired;
    }

    private bool Release(Dictionary<long, TLease> leases, string kind, long requestId, bool expired)
    {
        if (!leases.Remove(requestId, out var lease))
        {
            return false;
        }

        allocator.Free(lease.Blocks);
        metrics?.RecordLeaseReleased(kind, lease.Blocks.Length, expired);
        return true;
    }
}
