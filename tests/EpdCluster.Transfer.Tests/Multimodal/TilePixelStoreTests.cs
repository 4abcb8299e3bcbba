using EpdCluster.Transfer.Multimodal;
using StackExchange.Redis;

namespace EpdCluster.Transfer.Tests.Multimodal;

public sealed class TilePixelStoreTests(RedisConnectionFixture redis) : IClassFixture<RedisConnectionFixture>
{
    private const int TileFloats = 3 * 32 * 32;

    public static TheoryData<string, TensorDType> Stores => new()
    {
        { "redis", TensorDType.F16 },
        { "redis", TensorDType.F32 },
        { "in-process", TensorDType.F16 },
        { "in-process", TensorDType.F32 },
    };

    private ITilePixelStore Create(string kind, TensorDType dtype, TimeProvider? clock = null)
    {
        var options = new TransferOptions { PixelDType = dtype };
        return kind == "redis" ? new RedisTilePixelStore(redis.Connection, options) : new InProcessTilePixelStore(options, clock);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Requested_tiles_come_back_in_request_order(string kind, TensorDType dtype)
    {
        var store = Create(kind, dtype);
        var image = Guid.NewGuid().ToString("N");
        var pixels = TestData.Floats(5 * TileFloats, seed: 1);
        await store.PutAsync(image, pixels, tileCount: 5);

        var tiles = await store.GetTilesAsync(image, [4, 1]);

        Assert.Equal(2, tiles.Length);
        var tolerance = dtype == TensorDType.F16 ? 1e-3 : 0;
        Assert.InRange(TestData.MaxRelativeError(pixels.AsSpan(4 * TileFloats, TileFloats), tiles[0]), 0, tolerance);
        Assert.InRange(TestData.MaxRelativeError(pixels.AsSpan(1 * TileFloats, TileFloats), tiles[1]), 0, tolerance);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("in-process")]
    public async Task Missing_tiles_are_an_exception_naming_them(string kind)
    {
        var store = Create(kind, TensorDType.F16);
        var image = Guid.NewGuid().ToString("N");
        await store.PutAsync(image, TestData.Floats(2 * TileFloats, seed: 2), tileCount: 2);

        var error = await Assert.ThrowsAsync<TilePixelsMissingException>(() => store.GetTilesAsync(image, [0, 2, 3]));
        var never = await Assert.ThrowsAsync<TilePixelsMissingException>(() => store.GetTilesAsync("never-staged", [0]));

        Assert.Equal([2, 3], error.MissingTiles);
        Assert.Equal([0], never.MissingTiles);
    }

    [Fact]
    public async Task Redis_pixels_live_in_one_hash_with_the_pixel_ttl_at_half_the_fp32_size()
    {
        var store = Create("redis", TensorDType.F16);
        var image = Guid.NewGuid().ToString("N");
        await store.PutAsync(image, TestData.Floats(3 * TileFloats, seed: 3), tileCount: 3);

        var key = RedisKeys.TilePixels(image);
        var ttl = await redis.Database.KeyTimeToLiveAsync(key);
        var length = await redis.Database.HashStringLengthAsync(key, "t2");

        Assert.Equal($"epd:px:{image}", key.ToString());
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(100), TransferOptions.DefaultPixelTtl);
        Assert.InRange(length, TileFloats * 2, (TileFloats * 2) + 200); // fp16 payload + a small header
    }

    [Fact]
    public async Task In_process_pixels_expire_after_the_pixel_ttl()
    {
        var clock = new ManualTimeProvider();
        var store = Create("in-process", TensorDType.F16, clock);
        var image = Guid.NewGuid().ToString("N");
        await store.PutAsync(image, TestData.Floats(TileFloats, seed: 4), tileCount: 1);

        clock.Advance(TransferOptions.DefaultPixelTtl - TimeSpan.FromSeconds(1));
        Assert.Single(await store.GetTilesAsync(image, [0]));
        clock.Advance(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<TilePixelsMissingException>(() => store.GetTilesAsync(image, [0]));
    }
}
