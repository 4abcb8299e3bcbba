using System.Net;
using System.Net.Sockets;
using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Kv;

namespace EpdCluster.Transfer.Tests.Kv;

public sealed class KvTransferChannelTests : IAsyncLifetime
{
    private const int BytesPerBlock = 4096;

    private readonly RecordingSink _sink = new();
    private readonly TransferOptions _options = new() { FrameBlocks = 8, AckTimeout = TimeSpan.FromSeconds(10) };
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
    public async Task A_transfer_of_several_frames_lands_byte_exact_in_the_sinks_buffer_and_is_acked()
    {
        var blocks = TestData.Bytes(37 * BytesPerBlock, seed: 1);
        var landed = _sink.Reserve(1, blocks.Length);

        await _client.SendAsync(_server.EndPoint, new KvTransfer(1, 37, BytesPerBlock), blocks);

        Assert.Null(await _sink.OutcomeAsync(1));
        Assert.Equal(blocks, landed);
        var frames = _sink.Frames.Where(f => f.RequestId == 1).ToList();
        Assert.Equal([0, 1, 2, 3, 4], frames.Select(f => f.Index));
        Assert.All(frames, f => Assert.Equal(5, f.Count));
        Assert.Equal([8, 8, 8, 8, 5], frames.Select(f => f.Shape[0]));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i * 8 * BytesPerBlock), frames.Select(f => f.Offset));
        Assert.Equal(IPAddress.Loopback, _server.EndPoint.Address);
    }

    [Fact]
    public async Task Blocks_in_memory_no_array_backs_arrive_intact()
    {
        var blocks = TestData.Bytes(11 * BytesPerBlock, seed: 11);
        using var native = new UnmanagedMemory(blocks);
        var landed = _sink.Reserve(2, blocks.Length);

        await _client.SendAsync(_server.EndPoint, new KvTransfer(2, 11, BytesPerBlock), native.Memory);

        Assert.Equal(blocks, landed);
    }

    [Fact]
    public async Task Concurrent_transfers_to_one_server_share_the_connection_and_all_arrive_intact()
    {
        var sends = Enumerable.Range(10, 6).Select(id =>
        {
            var blocks = TestData.Bytes((20 + id) * BytesPerBlock, seed: id);
            var landed = _sink.Reserve(id, blocks.Length);
            return (id, blocks, landed, task: _client.SendAsync(_server.EndPoint, new KvTransfer(id, 20 + id, BytesPerBlock), blocks));
        }).ToList();

        await Task.WhenAll(sends.Select(s => s.task));

        foreach (var (id, blocks, landed, _) in sends)
        {
            Assert.Null(await _sink.OutcomeAsync(id));
            Assert.Equal(blocks, landed);
        }
    }

    [Fact]
    public async Task A_sink_refusal_reaches_the_sender_with_the_reason_and_the_connection_keeps_working()
    {
        var refused = _client.SendAsync(_server.EndPoint, new KvTransfer(404, 30, BytesPerBlock), TestData.Bytes(30 * BytesPerBlock, seed: 2));

        var error = await Assert.ThrowsAsync<KvTransferException>(() => refused);
        Assert.Contains("unknown request id 404", error.Message);
        Assert.Equal(404, error.RequestId);
        Assert.Contains("unknown request id 404", await _sink.OutcomeAsync(404));

        var blocks = TestData.Bytes(9 * BytesPerBlock, seed: 3);
        var landed = _sink.Reserve(405, blocks.Length);
        await _client.SendAsync(_server.EndPoint, new KvTransfer(405, 9, BytesPerBlock), blocks);
        Assert.Equal(blocks, landed);
    }

    [Fact]
    public async Task A_corrupted_frame_fails_its_transfer_with_the_checksum_reason_and_the_server_serves_the_next()
    {
        var blocks = TestData.Bytes(16 * BytesPerBlock, seed: 4);
        _sink.Reserve(500, blocks.Length);
        using var raw = new TcpClient();
        await raw.ConnectAsync(_server.EndPoint);
        var stream = raw.GetStream();
        var transfer = new KvTransfer(500, 16, BytesPerBlock);
        var frames = KvFraming.Split(transfer, blocks, frameBlocks: 8).ToList();

        await FrameWriter.WriteAsync(stream, frames[0].Header, frames[0].Payload);
        var damaged = frames[1].Payload.ToArray();
        var sealedHeader = FrameWriter.Seal(frames[1].Header, damaged);
        damaged[1234] ^= 0x40;
        await FrameWriter.WriteSealedAsync(stream, sealedHeader, damaged, CancellationToken.None);

        var reply = await new FrameReader(stream).ReadFrameAsync(_ => Memory<byte>.Empty).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(FrameKind.Error, reply!.Kind);
        Assert.Equal(500, reply.RequestId);
        Assert.Contains("Checksum mismatch in frame 1 of request 500", reply.ErrorMessage);
        Assert.Contains("Checksum mismatch", await _sink.OutcomeAsync(500));

        // The same raw connection, then the real client: both still served.
        var next = TestData.Bytes(3 * BytesPerBlock, seed: 5);
        var landed = _sink.Reserve(501, next.Length);
        await FrameWriter.WriteAsync(stream, KvFraming.Split(new KvTransfer(501, 3, BytesPerBlock), next, 8).Single().Header, next);
        var ack = await new FrameReader(stream).ReadFrameAsync(_ => Memory<byte>.Empty).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal((FrameKind.Ack, 501L), (ack!.Kind, ack.RequestId));
        Assert.Equal(next, landed);

        var viaClient = TestData.Bytes(4 * BytesPerBlock, seed: 6);
        var landedViaClient = _sink.Reserve(502, viaClient.Length);
        await _client.SendAsync(_server.EndPoint, new KvTransfer(502, 4, BytesPerBlock), viaClient);
        Assert.Equal(viaClient, landedViaClient);
    }

    [Fact]
    public async Task A_connection_lost_mid_transfer_fails_it_at_the_sink()
    {
        var blocks = TestData.Bytes(24 * BytesPerBlock, seed: 7);
        _sink.Reserve(600, blocks.Length);
        var frames = KvFraming.Split(new KvTransfer(600, 24, BytesPerBlock), blocks, frameBlocks: 8).ToList();
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync(_server.EndPoint);
            await FrameWriter.WriteAsync(raw.GetStream(), frames[0].Header, frames[0].Payload);
        }

        var reason = await _sink.OutcomeAsync(600);
        Assert.Contains("closed the connection after 1 of 3 frames", reason);
    }

    [Fact]
    public async Task A_connection_lost_inside_a_frame_fails_the_transfer_and_a_malformed_frame_gets_an_error_reply()
    {
        var blocks = TestData.Bytes(16 * BytesPerBlock, seed: 12);
        _sink.Reserve(610, blocks.Length);
        var frames = KvFraming.Split(new KvTransfer(610, 16, BytesPerBlock), blocks, frameBlocks: 8).ToList();
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync(_server.EndPoint);
            var sealedHeader = FrameWriter.Seal(frames[0].Header, frames[0].Payload.Span);
            await FrameWriter.WriteSealedAsync(raw.GetStream(), sealedHeader, frames[0].Payload[..1000], CancellationToken.None);
        }

        Assert.Contains("lost inside a frame", await _sink.OutcomeAsync(610));

        using var garbage = new TcpClient();
        await garbage.ConnectAsync(_server.EndPoint);
        await garbage.GetStream().WriteAsync(new byte[] { 0xff, 0xff, 0xff, 0x7f, 1, 2, 3 });
        var reply = await new FrameReader(garbage.GetStream()).ReadFrameAsync(_ => Memory<byte>.Empty).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(FrameKind.Error, reply!.Kind);
        Assert.Contains("header length", reply.ErrorMessage);
    }

    [Fact]
    public async Task The_client_reconnects_after_the_server_restarts()
    {
        var first = TestData.Bytes(8 * BytesPerBlock, seed: 8);
        _sink.Reserve(700, first.Length);
        await _client.SendAsync(_server.EndPoint, new KvTransfer(700, 8, BytesPerBlock), first);
        var port = _server.EndPoint.Port;

        await _server.DisposeAsync();
        var sink = new RecordingSink();
        _server = new KvTransferServer(sink, new TransferOptions { DirectPort = port });
        _server.Start();

        var second = TestData.Bytes(12 * BytesPerBlock, seed: 9);
        var landed = sink.Reserve(701, second.Length);
        await _client.SendAsync(_server.EndPoint, new KvTransfer(701, 12, BytesPerBlock), second);

        Assert.Equal(port, _server.EndPoint.Port);
        Assert.Equal(second, landed);
    }

    [Fact]
    public async Task No_ack_within_the_timeout_is_a_timeout_error()
    {
        _sink.CompletionDelay = TimeSpan.FromSeconds(30);
        await using var impatient = new KvTransferClient(new TransferOptions { AckTimeout = TimeSpan.FromMilliseconds(300) });
        var blocks = TestData.Bytes(2 * BytesPerBlock, seed: 10);
        _sink.Reserve(800, blocks.Length);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => impatient.SendAsync(_server.EndPoint, new KvTransfer(800, 2, BytesPerBlock), blocks));

        Assert.Contains("KV transfer 800", error.Message);
        Assert.Contains("no Ack", error.Message);
    }

    [Fact]
    public async Task A_sender_with_no_receiver_gets_a_clear_connection_error()
    {
        await using var client = new KvTransferClient(new TransferOptions());
        var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var endpoint = (IPEndPoint)free.LocalEndpoint;
        free.Stop();

        await Assert.ThrowsAsync<SocketException>(() => client.SendAsync(endpoint, new KvTransfer(900, 1, BytesPerBlock), new byte[BytesPerBlock]));
    }

    [Fact]
    public async Task A_block_buffer_that_disagrees_with_the_transfer_is_refused_before_sending()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _client.SendAsync(_server.EndPoint, new KvTransfer(901, 3, BytesPerBlock), new byte[BytesPerBlock]));

        Assert.Contains("3 × 4096", error.Message);
    }
}
