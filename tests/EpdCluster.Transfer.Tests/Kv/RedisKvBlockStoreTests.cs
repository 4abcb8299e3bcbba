using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Kv;
using StackExchange.Redis;

namespace EpdCluster.Transfer.Tests.Kv;

public sealed class RedisKvBlockStoreTests(RedisConnectionFixture redis) : IClassFixture<RedisConnectionFixture>
{
    private const int BytesPerBlock = 2048;

    private readonly RedisKvBlockStore _store = new(redis.Connection, new TransferOptions { FrameBlocks = 8 });

    private static Func<FrameHeader, Memory<byte>> Into(byte[] buffer) => h => buffer.AsMemory((int)h.Offset, (int)h.PayloadLength);

    [Fact]
    public async Task Frames_round_trip_with_a_ttl_and_are_deleted_once_read()
    {
        var blocks = TestData.Bytes(20 * BytesPerBlock, seed: 1);
        await _store.WriteAsync(new KvTransfer(1001, 20, BytesPerBlock), blocks);

        var keys = Enumerable.Range(0, 3).Select(i => RedisKeys.KvFrame(1001, i)).ToArray();
        Assert.Equal("epd:kv:1001:0", keys[0].ToString());
        foreach (var key in keys)
        {
            var ttl = await redis.Database.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TransferOptions.DefaultKvTtl);
        }

        Assert.False(await redis.Database.KeyExistsAsync(RedisKeys.KvFrame(1001, 3)));

        var landed = new byte[blocks.Length];
        Assert.True(await _store.TryReadAsync(1001, Into(landed)));
        Assert.Equal(blocks, landed);
        Assert.Equal(0, await redis.Database.KeyExistsAsync(keys));
        Assert.False(await _store.TryReadAsync(1001, Into(landed))); // taken
    }

    [Fact]
    public async Task A_transfer_that_was_never_written_reads_as_missing()
    {
        Assert.False(await _store.TryReadAsync(424242, _ => throw new InvalidOperationException("nothing should land")));
    }

    [Fact]
    public async Task A_damaged_frame_is_a_checksum_exception_and_the_transfer_is_removed()
    {
        var blocks = TestData.Bytes(20 * BytesPerBlock, seed: 2);
        await _store.WriteAsync(new KvTransfer(1002, 20, BytesPerBlock), blocks);
        var key = RedisKeys.KvFrame(1002, 1);
        var value = (byte[])(await redis.Database.StringGetAsync(key))!;
        value[^100] ^= 0x08;
        await redis.Database.StringSetAsync(key, value);

        var error = await Assert.ThrowsAsync<FrameChecksumException>(() => _store.TryReadAsync(1002, Into(new byte[blocks.Length])));

        Assert.Equal((1002L, 1), (error.RequestId, error.FrameIndex));
        Assert.False(await redis.Database.KeyExistsAsync(RedisKeys.KvFrame(1002, 0)));
        Assert.False(await redis.Database.KeyExistsAsync(RedisKeys.KvFrame(1002, 2)));
    }

    [Fact]
    public async Task A_transfer_missing_a_frame_is_reported_as_incomplete()
    {
        var blocks = TestData.Bytes(20 * BytesPerBlock, seed: 3);
        await _store.WriteAsync(new KvTransfer(1003, 20, BytesPerBlock), blocks);
        await redis.Database.KeyDeleteAsync(RedisKeys.KvFrame(1003, 2));

        var error = await Assert.ThrowsAsync<KvTransferException>(() => _store.TryReadAsync(1003, Into(new byte[blocks.Length])));

        Assert.Contains("frame 2 of 3 is missing", error.Message);
    }
}
