using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Tests.Model;

public sealed class KvCacheTests
{
    [Fact]
    public void Allocator_counts_references_keeps_the_watermark_and_refuses_double_frees()
    {
        var allocator = new KvBlockAllocator(totalBlocks: 10, watermarkBlocks: 2);

        var first = allocator.Allocate(4);
        Assert.Equal([0, 1, 2, 3], first);
        Assert.Equal(6, allocator.FreeBlocks);
        Assert.True(allocator.CanAllocate(4, keepWatermark: true));
        Assert.False(allocator.CanAllocate(5, keepWatermark: true));
        Assert.True(allocator.CanAllocate(6, keepWatermark: false));

        allocator.AddReference(first[0]);
        allocator.Free(first);
        Assert.Equal(9, allocator.FreeBlocks);
        Assert.Equal(1, allocator.ReferenceCount(first[0]));
        allocator.Free([first[0]]);
        Assert.Equal(10, allocator.FreeBlocks);

        Assert.Throws<InvalidOperationException>(() => allocator.Free([first[0]]));
        Assert.Contains("only 10 of 10", Assert.Throws<InvalidOperationException>(() => allocator.Allocate(11)).Message);
    }

    [Fact]
    public void Exported_blocks_import_into_other_block_ids_of_another_cache_unchanged()
    {
        using var scope = NewDisposeScope();
        var config = TestModels.SmallVocabulary.Text;
        using var source = new PagedKvCache(config, totalBlocks: 6, blockSize: 16);
        using var target = new PagedKvCache(config, totalBlocks: 6, blockSize: 16);
        var k = randn(20, config.NumKeyValueHeads, config.HeadDim);
        var v = randn(20, config.NumKeyValueHeads, config.HeadDim);
        var blocks = tensor(Enumerable.Range(0, 20).Select(i => i < 16 ? 4L : 1L).ToArray());
        var offsets = tensor(Enumerable.Range(0, 20).Select(i => (long)(i % 16)).ToArray());
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            source.Write(layer, k * (layer + 1), v * (layer + 1), blocks, offsets);
        }

        Assert.Equal(16 * config.NumHiddenLayers * 2 * config.NumKeyValueHeads * config.HeadDim * 4, source.BytesPerBlock);
        var bytes = new byte[2 * source.BytesPerBlock];
        source.ExportBlocks([4, 1], bytes);
        target.ImportBlocks([0, 5], bytes);

        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            var (keys, values) = target.Gather(layer, tensor(new long[] { 0, 5 }).view(1, 2));
            Assert.True(keys[0].narrow(0, 0, 20).eq(k * (layer + 1)).all().item<bool>(), $"keys of layer {layer}");
            Assert.True(values[0].narrow(0, 0, 20).eq(v * (layer + 1)).all().item<bool>(), $"values of layer {layer}");
        }

        Assert.Throws<ArgumentException>(() => target.ImportBlocks([0], bytes));
    }
}
