using System.IO.Pipelines;
using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Tests.Frames;

public sealed class FrameRoundTripTests
{
    private static FrameHeader FullHeader() => new()
    {
        Kind = FrameKind.ImageEmbeddings,
        RequestId = long.MaxValue - 7,
        Index = 2,
        Count = 5,
        DType = TensorDTypes.Float16,
        Shape = [3, 4],
        Offset = 1L << 40,
        ModelId = "epd-tiny",
        ImageHash = "ab12cd",
        ErrorMessage = "none",
    };

    [Fact]
    public async Task Every_header_field_and_the_payload_survive_a_stream_round_trip()
    {
        var payload = TestData.Bytes(3 * 4 * sizeof(ushort), seed: 1);
        using var stream = new MemoryStream();
        await FrameWriter.WriteAsync(stream, FullHeader(), payload);
        stream.Position = 0;

        var reader = new FrameReader(stream);
        var header = await reader.ReadHeaderAsync();
        Assert.NotNull(header);
        var received = new byte[payload.Length];
        await reader.ReadPayloadAsync(header, received);

        Assert.Equal(FullHeader() with { PayloadLength = payload.Length, Checksum = header.Checksum, Shape = header.Shape }, header);
        Assert.Equal([3, 4], header.Shape);
        Assert.Equal(FrameHeader.CurrentVersion, header.Version);
        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64(payload), header.Checksum);
        Assert.Equal(payload, received);
        Assert.Null(await reader.ReadHeaderAsync()); // a clean end between frames
    }

    [Fact]
    public async Task A_multi_megabyte_payload_lands_at_an_offset_in_a_preallocated_buffer()
    {
        const int Offset = 12345;
        var payload = TestData.Bytes(6 * 1024 * 1024 + 3, seed: 2);
        using var stream = new MemoryStream();
        await FrameWriter.WriteAsync(stream, new FrameHeader { Kind = FrameKind.KvBlocks, RequestId = 9 }, payload);
        await FrameWriter.WriteAsync(stream, new FrameHeader { Kind = FrameKind.Ack, RequestId = 9 }, ReadOnlyMemory<byte>.Empty);
        stream.Position = 0;

        var destination = new byte[Offset + payload.Length + 100];
        destination.AsSpan().Fill(0xEE);
        var reader = new FrameReader(new TrickleStream(stream, maxRead: 100_000));
        var header = await reader.ReadFrameAsync(h => destination.AsMemory(Offset, (int)h.PayloadLength));
        var ack = await reader.ReadFrameAsync(_ => throw new InvalidOperationException("an Ack has no payload"));

        Assert.Equal(payload.Length, header!.PayloadLength);
        Assert.True(destination.AsSpan(Offset, payload.Length).SequenceEqual(payload));
        Assert.All(destination.AsSpan(0, Offset).ToArray(), b => Assert.Equal(0xEE, b));
        Assert.All(destination.AsSpan(Offset + payload.Length).ToArray(), b => Assert.Equal(0xEE, b));
        Assert.Equal(FrameKind.Ack, ack!.Kind);
    }

    [Fact]
    public async Task Frames_written_to_a_pipe_read_back_from_its_stream()
    {
        var pipe = new Pipe();
        var first = TestData.Bytes(200_000, seed: 3); // above the pipe's pause threshold: the writer waits for the reader
        var writing = Task.Run(async () =>
        {
            await FrameWriter.WriteAsync(pipe.Writer, new FrameHeader { Kind = FrameKind.TilePixels, Index = 0, Count = 2 }, first);
            await FrameWriter.WriteAsync(pipe.Writer, new FrameHeader { Kind = FrameKind.TilePixels, Index = 1, Count = 2 }, ReadOnlyMemory<byte>.Empty);
            await pipe.Writer.CompleteAsync();
        });

        var reader = new FrameReader(pipe.Reader.AsStream());
        var received = new byte[first.Length];
        var one = await reader.ReadFrameAsync(_ => received);
        var two = await reader.ReadFrameAsync(_ => Memory<byte>.Empty);

        Assert.Equal((0, 1), (one!.Index, two!.Index));
        Assert.Equal(first, received);
        Assert.Null(await reader.ReadHeaderAsync());
        await writing;
    }

    [Fact]
    public void A_frame_buffer_decodes_to_its_header_and_payload()
    {
        var payload = TestData.Bytes(3 * 4 * sizeof(ushort), seed: 4);
        var frame = FrameBuffer.Encode(FullHeader(), payload);

        var (header, decoded) = FrameBuffer.Decode(frame, FrameLimits.Default);

        Assert.Equal(FullHeader().ModelId, header.ModelId);
        Assert.Equal(FullHeader().Offset, header.Offset);
        Assert.Equal(payload, decoded.ToArray());
    }

    [Fact]
    public async Task A_refused_payload_can_be_skipped_and_the_next_frame_still_reads()
    {
        using var stream = new MemoryStream();
        await FrameWriter.WriteAsync(stream, new FrameHeader { Kind = FrameKind.KvBlocks, RequestId = 1 }, TestData.Bytes(200_000, seed: 5));
        await FrameWriter.WriteAsync(stream, new FrameHeader { Kind = FrameKind.KvBlocks, RequestId = 2 }, TestData.Bytes(10, seed: 6));
        stream.Position = 0;
        var reader = new FrameReader(stream);

        var skipped = await reader.ReadHeaderAsync();
        await reader.SkipPayloadAsync(skipped!);
        var next = await reader.ReadFrameAsync(h => new byte[h.PayloadLength]);

        Assert.Equal(2, next!.RequestId);
    }
}
