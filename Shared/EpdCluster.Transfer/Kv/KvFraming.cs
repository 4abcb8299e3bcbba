using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Kv;

/// <summary>Cuts a KV transfer into frames of whole blocks; the direct channel and the Redis store send the same frames.</summary>
internal static class KvFraming
{
    /// <summary>Unsealed headers and payload slices for each frame of <paramref name="transfer"/>.</summary>
    public static IEnumerable<(FrameHeader Header, ReadOnlyMemory<byte> Payload)> Split(KvTransfer transfer, ReadOnlyMemory<byte> blocks, int frameBlocks)
    {
        Check(transfer, blocks.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameBlocks, 1);
        return transfer.Encoding is null ? SplitBlocks(transfer, blocks, frameBlocks) : SplitEncoded(transfer, blocks, frameBlocks);
    }

    /// <summary>Compressed bytes in as many frames as the raw blocks would take, each an equal share (u8, the encoding in every header).</summary>
    private static IEnumerable<(FrameHeader Header, ReadOnlyMemory<byte> Payload)> SplitEncoded(KvTransfer transfer, ReadOnlyMemory<byte> bytes, int frameBlocks)
    {
        var count = FrameCount(transfer, frameBlocks);
        var share = (bytes.Length + count - 1) / count;
        for (var index = 0; index < count; index++)
        {
            var offset = Math.Min(bytes.Length, index * share);
            var length = Math.Min(share, bytes.Length - offset);
            var header = new FrameHeader
            {
                Kind = FrameKind.KvBlocks,
                RequestId = transfer.RequestId,
                Index = index,
                Count = count,
                DType = TensorDTypes.Bytes,
                Shape = [length],
                Offset = offset,
                ModelId = transfer.ModelId,
                KvEncoding = transfer.Encoding,
            };
            yield return (header, bytes.Slice(offset, length));
        }
    }

    private static IEnumerable<(FrameHeader Header, ReadOnlyMemory<byte> Payload)> SplitBlocks(KvTransfer transfer, ReadOnlyMemory<byte> blocks, int frameBlocks)
    {
        var elementsPerBlock = transfer.BytesPerBlock / TensorDTypes.ElementSize(transfer.DType);
        var count = FrameCount(transfer, frameBlocks);
        for (var index = 0; index < count; index++)
        {
            var firstBlock = index * frameBlocks;
            var blocksInFrame = Math.Min(frameBlocks, transfer.BlockCount - firstBlock);
            var offset = (long)firstBlock * transfer.BytesPerBlock;
            var header = new FrameHeader
            {
                Kind = FrameKind.KvBlocks,
                RequestId = transfer.RequestId,
                Index = index,
                Count = count,
                DType = transfer.DType,
                Shape = [blocksInFrame, elementsPerBlock],
                Offset = offset,
                ModelId = transfer.ModelId,
            };
            yield return (header, blocks.Slice((int)offset, blocksInFrame * transfer.BytesPerBlock));
        }
    }

    public static int FrameCount(KvTransfer transfer, int frameBlocks)
    {
        var count = (transfer.BlockCount + frameBlocks - 1) / frameBlocks;
        return transfer.Encoding is null ? count : (int)Math.Clamp(count, 1, Math.Max(1, transfer.TotalBytes));
    }

    public static void Check(KvTransfer transfer, int length)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        if (transfer.TotalBytes != length)
        {
            throw new ArgumentException($"KV transfer {transfer.RequestId} announces {transfer.BlockCount} × {transfer.BytesPerBlock} bytes but {length} were given.", nameof(length));
        }

        if (transfer.Encoding is null && transfer.BytesPerBlock % TensorDTypes.ElementSize(transfer.DType) != 0)
        {
            throw new ArgumentException($"A KV block of {transfer.BytesPerBlock} bytes is not a whole number of {transfer.DType} elements.", nameof(transfer));
        }
    }
}
