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

    public static int FrameCount(KvTransfer transfer, int frameBlocks) => (transfer.BlockCount + frameBlocks - 1) / frameBlocks;

    public static void Check(KvTransfer transfer, int length)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        if (transfer.TotalBytes != length)
        {
            throw new ArgumentException($"KV transfer {transfer.RequestId} announces {transfer.BlockCount} × {transfer.BytesPerBlock} bytes but {length} were given.", nameof(length));
        }

        if (transfer.BytesPerBlock % TensorDTypes.ElementSize(transfer.DType) != 0)
        {
            throw new ArgumentException($"A KV block of {transfer.BytesPerBlock} bytes is not a whole number of {transfer.DType} elements.", nameof(transfer));
        }
    }
}
