using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Multimodal;
using StackExchange.Redis;

namespace EpdCluster.Transfer.Tests.Multimodal;

public sealed class RedisMultimodalTokenCacheTests(RedisConnectionFixture redis) : MultimodalTokenCacheContract, IClassFixture<RedisConnectionFixture>
{
    protected override IMultimodalTokenCache CreateCache(TensorDType dtype = TensorDType.F16) =>
        new RedisMultimodalTokenCache(redis.Connection, new TransferOptions { CacheDType = dtype });

    [Fact]
    public async Task Tiles_are_fields_of_one_hash_whose_ttl_writes_and_reads_refresh()
    {
        var cache = CreateCache();
        var image = NewImageHash();
        var key = RedisKeys.MultimodalTokens(Model, image);
        await PutTile(cache, image, 0);
        await PutTile(cache, image, 1);

        Assert.Equal($"epd:mm:{Model}:{image}", key.ToString());
        Assert.Equal(["t0", "t1"], (await redis.Database.HashKeysAsync(key)).Select(f => f.ToString()).Order());
        var ttl = await redis.Database.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(23.9), TransferOptions.DefaultMultimodalTtl);

        await redis.Database.KeyExpireAsync(key, TimeSpan.FromSeconds(30));
        Assert.NotNull(await cache.GetImageAsync(Model, image, 2));
        await redis.Database.PingAsync(); // the refresh is fire-and-forget; a later command on the connection follows it
        ttl = await redis.Database.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(23.9), TransferOptions.DefaultMultimodalTtl);
    }

    [Fact]
    public async Task A_damaged_value_counts_as_a_miss_and_is_deleted_never_returned()
    {
        var cache = CreateCache();
        var image = NewImageHash();
        var key = RedisKeys.MultimodalTokens(Model, image);
        await PutTile(cache, image, 0);
        await PutTile(cache, image, 1);
        var value = (byte[])(await redis.Database.HashGetAsync(key, "t1"))!;
        value[^3] ^= 0x10;
        await redis.Database.HashSetAsync(key, "t1", value);

        var assembled = await cache.GetImageAsync(Model, image, 2);

        Assert.Null(assembled);
        Assert.Equal((0L, 1L, 1L), (cache.Counters.Hits, cache.Counters.Misses, cache.Counters.CorruptTiles));
        Assert.False(await redis.Database.HashExistsAsync(key, "t1"));
        Assert.True(await redis.Database.HashExistsAsync(key, "t0"));
        Assert.Equal(new[] { true, false }, await cache.GetPresentTilesAsync(Model, image, 2));
    }

    [Fact]
    public async Task A_tile_of_another_image_under_this_key_is_treated_as_damaged()
    {
        var cache = CreateCache();
        var (image, other) = (NewImageHash(), NewImageHash());
        await PutTile(cache, other, 0);
        var foreign = await redis.Database.HashGetAsync(RedisKeys.MultimodalTokens(Model, other), "t0");
        await redis.Database.HashSetAsync(RedisKeys.MultimodalTokens(Model, image), "t0", foreign);

        Assert.Null(await cache.GetImageAsync(Model, image, 1));
        Assert.Equal(1, cache.Counters.CorruptTiles);
    }

    [Fact]
    public async Task Each_value_is_a_frame_with_shape_tokens_by_width_in_fp16()
    {
        var cache = CreateCache();
        var image = NewImageHash();
        await PutTile(cache, image, 3);

        var value = (byte[])(await redis.Database.HashGetAsync(RedisKeys.MultimodalTokens(Model, image), "t3"))!;
        var (header, payload) = FrameBuffer.Decode(value, FrameLimits.Default);

        Assert.Equal(FrameKind.ImageEmbeddings, header.Kind);
        Assert.Equal([16, 64], header.Shape);
        Assert.Equal(TensorDTypes.Float16, header.DType);
        Assert.Equal(3, header.Index);
        Assert.Equal(16 * 64 * 2, payload.Length);
    }
}
