using EpdCluster.Transfer.Multimodal;

namespace EpdCluster.Transfer.Tests.Multimodal;

/// <summary>The behaviour every <see cref="IMultimodalTokenCache"/> must have; each implementation's test class runs these.</summary>
public abstract class MultimodalTokenCacheContract
{
    protected const string Model = "epd-tiny";
    private const int Tokens = 16;
    private const int Width = 64;

    protected abstract IMultimodalTokenCache CreateCache(TensorDType dtype = TensorDType.F16);

    protected static string NewImageHash() => Guid.NewGuid().ToString("N");

    /// <summary>Tile i's rows: distinct per tile, so an out-of-order assembly cannot pass.</summary>
    protected static float[] TileRows(int tile) => TestData.Floats(Tokens * Width, seed: 100 + tile);

    protected static Task PutTile(IMultimodalTokenCache cache, string image, int tile) =>
        cache.PutTileAsync(Model, image, tile, Tokens, Width, TileRows(tile));

    [Fact]
    public async Task Tiles_written_by_concurrent_encoders_assemble_in_tile_order()
    {
        var cache = CreateCache();
        var image = NewImageHash();
        const int TileCount = 7;

        await Task.WhenAll(Enumerable.Range(0, TileCount).Reverse().Select(tile => Task.Run(() => PutTile(cache, image, tile))));
        var present = await cache.GetPresentTilesAsync(Model, image, TileCount);
        var assembled = await cache.GetImageAsync(Model, image, TileCount);

        Assert.All(present, Assert.True);
        Assert.NotNull(assembled);
        var expected = Enumerable.Range(0, TileCount).SelectMany(TileRows).ToArray();
        Assert.InRange(TestData.MaxRelativeError(expected, assembled), 0, 1e-3);
        Assert.Equal(1, cache.Counters.Hits);
    }

    [Fact]
    public async Task Presence_lists_exactly_the_stored_tiles_and_a_partial_image_is_a_miss()
    {
        var cache = CreateCache();
        var image = NewImageHash();
        await PutTile(cache, image, 0);
        await PutTile(cache, image, 2);

        var present = await cache.GetPresentTilesAsync(Model, image, 4);
        var assembled = await cache.GetImageAsync(Model, image, 4);

        Assert.Equal([true, false, true, false], present);
        Assert.Null(assembled);
        Assert.Equal((0L, 1L), (cache.Counters.Hits, cache.Counters.Misses));
        Assert.NotNull(await cache.GetImageAsync(Model, image, 1)); // tile 0 alone is a whole one-tile image
    }

    [Fact]
    public async Task Fp16_storage_stays_within_1e_3_relative_of_the_fp32_input_and_fp32_is_exact()
    {
        var halfCache = CreateCache(TensorDType.F16);
        var fullCache = CreateCache(TensorDType.F32);
        var (halfImage, fullImage) = (NewImageHash(), NewImageHash()); // two Redis caches share one server
        await PutTile(halfCache, halfImage, 0);
        await PutTile(fullCache, fullImage, 0);

        var half = await halfCache.GetImageAsync(Model, halfImage, 1);
        var full = await fullCache.GetImageAsync(Model, fullImage, 1);

        var error = TestData.MaxRelativeError(TileRows(0), half);
        Assert.InRange(error, 1e-6, 1e-3); // > 0: the values really went through fp16
        Assert.Equal(TileRows(0), full);
    }

    [Fact]
    public async Task An_unknown_image_is_a_miss_and_other_models_do_not_share_entries()
    {
        var cache = CreateCache();
        var image = NewImageHash();
        await PutTile(cache, image, 0);

        Assert.Null(await cache.GetImageAsync(Model, NewImageHash(), 1));
        Assert.Null(await cache.GetImageAsync("epd-small", image, 1));
        Assert.Equal(new[] { false }, await cache.GetPresentTilesAsync("epd-small", image, 1));

        Assert.Equal((0L, 2L), (cache.Counters.Hits, cache.Counters.Misses));
    }

    [Fact]
    public async Task Rewriting_a_tile_replaces_it()
    {
        var cache = CreateCache(TensorDType.F32);
        var image = NewImageHash();
        await PutTile(cache, image, 0);
        await cache.PutTileAsync(Model, image, 0, Tokens, Width, TileRows(5));

        Assert.Equal(TileRows(5), await cache.GetImageAsync(Model, image, 1));
    }

    [Fact]
    public async Task Rows_that_do_not_match_the_shape_are_refused()
    {
        var cache = CreateCache();

        await Assert.ThrowsAsync<ArgumentException>(() => cache.PutTileAsync(Model, NewImageHash(), 0, Tokens, Width, new float[Tokens * Width - 1]));
    }
}
