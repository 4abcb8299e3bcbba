using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Kv;
using EpdCluster.Transfer.Kv.Codecs;
using EpdCluster.Transfer.Tests.Kv;

namespace EpdCluster.Transfer.Tests.Kv.Codecs;

/// <summary>Compressed KV travels as u8 frames that carry their encoding, over the direct channel and through Redis; damaged frames are refused.</summary>
public sealed class EncodedTransferTests(RedisConnectionFixture redis) : IClassFixture<RedisConnectionFixture>, IAsyncLifetime
{
    private readonly TransferOptions _options = new() { FrameBlocks = 2 };
    private readonly KvCompressor _compressor = new(new KvCodecOptions());
    private readonly RecordingSink _sink = new();
    private KvTransferServer _server = null!;
    private KvTransferClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _server = new KvTransferServer(_sink, _options);
        _server.Start();
        _client = new KvTransferClient(_options);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Encoded_frames_carry_the_codec_and_decode_after_the_direct_channel()
    {
        var kv = KvSnapshots.Random(100, seed: 11, withSaliency: true, isImage: t => t is >= 10 and < 80);
        var (encoding, bytes) = _compressor.Encode(kv, KvCodecSpec.Parse("lookm+kivi+lz4"));
        var landed = _sink.Reserve(21, bytes.Length);

        await _client.SendAsync(_server.EndPoint, new KvTransfer(21, kv.Blocks, kv.Layout.BytesPerBlock) { Encoding = encoding }, bytes);

        Assert.Null(await _sink.OutcomeAsync(21));
        var frames = _sink.Frames.Where(f => f.RequestId == 21).ToList();
        Assert.Equal(4, frames.Count); // 7 raw blocks in frames of 2: the same frame count, each a share of the bytes
        Assert.All(frames, f => Assert.Equal(encoding, f.KvEncoding));
        Assert.All(frames, f => Assert.Equal(TensorDTypes.Bytes, f.DType));
        var expected = _compressor.Decode(encoding, bytes, kv.Layout);
        var decoded = _compressor.Decode(frames[0].KvEncoding!, landed, kv.Layout);
        Assert.Equal(expected.Data, decoded.Data);
        Assert.True(decoded.Slots < decoded.Tokens);
    }

    [Fact]
    public async Task Encoded_frames_round_trip_through_redis()
    {
        var store = new RedisKvBlockStore(redis.Connection, _options);
        var kv = KvSnapshots.Random(40, seed: 12);
        var (encoding, bytes) = _compressor.Encode(kv, KvCodecSpec.Parse("kivi"));

        await store.WriteAsync(new KvTransfer(2101, kv.Blocks, kv.Layout.BytesPerBlock) { Encoding = encoding }, bytes);
        var landed = new byte[bytes.Length];
        KvEncoding? received = null;
        Assert.True(await store.TryReadAsync(2101, h =>
        {
            received = h.KvEncoding;
            return landed.AsMemory((int)h.Offset, (int)h.PayloadLength);
        }));

        Assert.Equal(encoding, received);
        Assert.Equal(bytes, landed);
    }

    [Fact]
    public void An_altered_or_truncated_encoded_frame_is_rejected()
    {
        var kv = KvSnapshots.Random(30, seed: 13);
        var (encoding, bytes) = _compressor.Encode(kv, KvCodecSpec.Parse("kivi"));
        var header = new FrameHeader { Kind = FrameKind.KvBlocks, RequestId = 9, DType = TensorDTypes.Bytes, Shape = [bytes.Length], KvEncoding = encoding };
        var frame = FrameBuffer.Encode(header, bytes);

        var (parsed, payload) = FrameBuffer.Decode(frame, _options.FrameLimits);
        Assert.Equal(encoding, parsed.KvEncoding);
        Assert.Equal(bytes, payload.ToArray());

        var altered = frame.ToArray();
        altered[^5] ^= 0x10;
        Assert.Throws<FrameChecksumException>(() => FrameBuffer.Decode(altered, _options.FrameLimits));
        Assert.ThrowsAny<FrameException>(() => FrameBuffer.Decode(frame.AsMemory(0, frame.Length - 3), _options.FrameLimits));
    }
}
