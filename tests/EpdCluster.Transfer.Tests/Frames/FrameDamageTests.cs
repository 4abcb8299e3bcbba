using System.Buffers.Binary;
using EpdCluster.Transfer.Frames;
using MessagePack;

namespace EpdCluster.Transfer.Tests.Frames;

public sealed class FrameDamageTests
{
    private static async Task<byte[]> Frame(FrameHeader header, byte[] payload)
    {
        using var stream = new MemoryStream();
        await FrameWriter.WriteAsync(stream, header, payload);
        return stream.ToArray();
    }

    [Fact]
    public async Task One_flipped_payload_byte_is_a_checksum_exception_naming_request_and_frame()
    {
        var payload = TestData.Bytes(100_000, seed: 1);
        var bytes = await Frame(new FrameHeader { Kind = FrameKind.KvBlocks, RequestId = 77, Index = 3, Count = 4 }, payload);
        bytes[^5000] ^= 0x01;

        var reader = new FrameReader(new MemoryStream(bytes));
        var header = await reader.ReadHeaderAsync();
        var error = await Assert.ThrowsAsync<FrameChecksumException>(async () => await reader.ReadPayloadAsync(header!, new byte[payload.Length]));

        Assert.Equal(77, error.RequestId);
        Assert.Equal(3, error.FrameIndex);
        Assert.Contains("request 77", error.Message);
        Assert.Contains("frame 3", error.Message);
        Assert.Throws<FrameChecksumException>(() => FrameBuffer.Decode(bytes, FrameLimits.Default));
    }

    [Theory]
    [InlineData(2)]          // inside the length prefix
    [InlineData(10)]         // inside the header
    [InlineData(-1)]         // one byte short of the payload
    [InlineData(-40_000)]    // deep inside the payload
    public async Task A_truncated_stream_is_a_clear_truncation_error(int cut)
    {
        var bytes = await Frame(new FrameHeader { Kind = FrameKind.KvBlocks, RequestId = 5 }, TestData.Bytes(50_000, seed: 2));
        var kept = cut > 0 ? bytes[..cut] : bytes[..(bytes.Length + cut)];

        var reader = new FrameReader(new MemoryStream(kept));
        var error = await Assert.ThrowsAsync<FrameTruncatedException>(async () => await reader.ReadFrameAsync(h => new byte[h.PayloadLength]));

        Assert.Contains("ended", error.Message);
        Assert.Throws<FrameTruncatedException>(() => FrameBuffer.Decode(kept, FrameLimits.Default));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(64u * 1024 + 1)]
    [InlineData(uint.MaxValue)]
    public async Task An_absurd_header_length_is_refused_before_anything_is_read(uint headerLength)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, headerLength);

        var error = await Assert.ThrowsAsync<FrameFormatException>(async () => await new FrameReader(new MemoryStream(bytes)).ReadHeaderAsync());

        Assert.Contains("header length", error.Message);
    }

    [Fact]
    public async Task A_payload_length_over_the_limit_is_refused_from_the_header_alone()
    {
        var header = new FrameHeader { Kind = FrameKind.KvBlocks, PayloadLength = 5L * 1024 * 1024 * 1024 };
        var bytes = FrameHeaderSerializerBytes(header); // no payload follows: the reader must not wait for one

        var error = await Assert.ThrowsAsync<FrameFormatException>(async () => await new FrameReader(new MemoryStream(bytes), new FrameLimits(1024, 1024 * 1024)).ReadHeaderAsync());

        Assert.Contains("payload length", error.Message);
    }

    [Fact]
    public async Task A_shape_that_disagrees_with_the_payload_length_is_refused()
    {
        var bytes = FrameHeaderSerializerBytes(new FrameHeader { Kind = FrameKind.KvBlocks, DType = TensorDTypes.Float32, Shape = [2, 3], PayloadLength = 20 });

        var error = await Assert.ThrowsAsync<FrameFormatException>(async () => await new FrameReader(new MemoryStream(bytes)).ReadHeaderAsync());

        Assert.Contains("needs 24 bytes", error.Message);
    }

    [Fact]
    public async Task A_newer_header_version_or_garbage_header_is_refused()
    {
        var newer = FrameHeaderSerializerBytes(new FrameHeader { Kind = FrameKind.Ack, Version = FrameHeader.CurrentVersion + 1 });
        var garbage = new byte[] { 3, 0, 0, 0, 0xc1, 0xc1, 0xc1 }; // 0xc1 is never valid MessagePack

        var versionError = await Assert.ThrowsAsync<FrameFormatException>(async () => await new FrameReader(new MemoryStream(newer)).ReadHeaderAsync());
        await Assert.ThrowsAsync<FrameFormatException>(async () => await new FrameReader(new MemoryStream(garbage)).ReadHeaderAsync());

        Assert.Contains("version", versionError.Message);
    }

    private static byte[] FrameHeaderSerializerBytes(FrameHeader header)
    {
        var body = MessagePackSerializer.Serialize(header);
        var bytes = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)body.Length);
        body.CopyTo(bytes, 4);
        return bytes;
    }
}
