using EpdCluster.Transfer.Multimodal;

namespace EpdCluster.Transfer.Tests.Multimodal;

public sealed class InProcessMultimodalTokenCacheTests : MultimodalTokenCacheContract
{
    protected override IMultimodalTokenCache CreateCache(TensorDType dtype = TensorDType.F16) =>
        new InProcessMultimodalTokenCache(new TransferOptions { CacheDType = dtype });

    [Fact]
    public async Task Over_the_byte_budget_the_least_recently_used_image_goes_first()
    {
        // One image = one fp16 tile of 16 × 64 (2 KiB) plus bookkeeping; the budget holds two.
        const int ImageBytes = 16 * 64 * 2 + InProcessMultimodalTokenCache.TileOverheadBytes + InProcessMultimodalTokenCache.ImageOverheadBytes;
        var cache = new InProcessMultimodalTokenCache(new TransferOptions { InProcessCacheBytes = (2 * ImageBytes) + (ImageBytes / 2) });
        var (a, b, c) = (NewImageHash(), NewImageHash(), NewImageHash());
        await PutTile(cache, a, 0);
        await PutTile(cache, b, 0);
        Assert.NotNull(await cache.GetImageAsync(Model, a, 1)); // a is now more recent than b

        await PutTile(cache, c, 0);

        Assert.NotNull(await cache.GetImageAsync(Model, a, 1));
        Assert.Null(await cache.GetImageAsync(Model, b, 1));
        Assert.NotNull(await cache.GetImageAsync(Model, c, 1));
        Assert.Equal(2 * ImageBytes, cache.Bytes);
    }

    [Fact]
    public async Task An_image_untouched_for_the_ttl_expires_and_reads_refresh_it()
    {
        var clock = new ManualTimeProvider();
        var cache = new InProcessMultimodalTokenCache(new TransferOptions { MultimodalTtl = TimeSpan.FromHours(1) }, clock);
        var (kept, dropped) = (NewImageHash(), NewImageHash());
        await PutTile(cache, kept, 0);
        await PutTile(cache, dropped, 0);

        clock.Advance(TimeSpan.FromMinutes(40));
        Assert.NotNull(await cache.GetImageAsync(Model, kept, 1));
        clock.Advance(TimeSpan.FromMinutes(40));

        Assert.NotNull(await cache.GetImageAsync(Model, kept, 1));
        Assert.Null(await cache.GetImageAsync(Model, dropped, 1));
    }
}
