using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Kv.Codecs;

namespace EpdCluster.Transfer.Kv;

/// <summary>
/// One request's KV blocks on their way from prefill to decode: <see cref="BlockCount"/> blocks of
/// <see cref="BytesPerBlock"/> bytes each, in order (as <c>PagedKvCache.ExportBlocks</c> writes them) — or, with an
/// <see cref="Encoding"/>, those blocks compressed into <see cref="KvEncoding.EncodedBytes"/> opaque bytes.
/// </summary>
public sealed record KvTransfer
{
    public KvTransfer(long requestId, int blockCount, int bytesPerBlock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerBlock, 1);
        RequestId = requestId;
        BlockCount = blockCount;
        BytesPerBlock = bytesPerBlock;
    }

    public long RequestId { get; }

    public int BlockCount { get; }

    public int BytesPerBlock { get; }

    /// <summary>Element type of the block bytes (default f32, the paged cache's storage type).</summary>
    public string DType { get; init; } = TensorDTypes.Float32;

    /// <summary>The model the blocks belong to, so a receiver can refuse KV of another model.</summary>
    public string? ModelId { get; init; }

    /// <summary>How the bytes were compressed (every frame carries it), or null for raw fp32 blocks.</summary>
    public KvEncoding? Encoding { get; init; }

    public long TotalBytes => Encoding?.EncodedBytes ?? (long)BlockCount * BytesPerBlock;
}
