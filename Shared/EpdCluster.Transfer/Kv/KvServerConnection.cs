using System.Net;
using System.Net.Sockets;
using EpdCluster.Transfer.Frames;
using Microsoft.Extensions.Logging;

namespace EpdCluster.Transfer.Kv;

/// <summary>
/// One sender's connection to a <see cref="KvTransferServer"/>. Frames of several transfers may interleave; each
/// transfer's frames arrive in order. The read loop owns the transfer table; replies go out under a write lock
/// because completions run beside the loop.
/// </summary>
internal sealed class KvServerConnection : IAsyncDisposable
{
    /// <summary>Failed transfers whose remaining frames are still skipped; past this many the oldest are forgotten.</summary>
    private const int MaxRememberedFailures = 1024;

    /// <summary>How long a last Error before hanging up on a broken sender may take.</summary>
    private static readonly TimeSpan Parting = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly FrameReader _reader;
    private readonly IKvTransferSink _sink;
    private readonly ILogger _logger;
    private readonly EndPoint? _remote;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<long, InboundTransfer> _transfers = [];
    private readonly Queue<long> _failedOrder = new();
    private readonly List<Task> _completions = [];
    private readonly CancellationTokenSource _closing = new();

    public KvServerConnection(Socket socket, IKvTransferSink sink, FrameLimits limits, ILogger logger)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new FrameReader(_stream, limits);
        _sink = sink;
        _logger = logger;
        _remote = socket.RemoteEndPoint;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _closing.Token);
        var token = linked.Token;
        KvTransferServer.LogConnectionOpened(_logger, _remote);
        var lostReason = "the sender closed the connection";
        try
        {
            while (await _reader.ReadHeaderAsync(token).ConfigureAwait(false) is { } header)
            {
                switch (header.Kind)
                {
                    case FrameKind.KvBlocks:
                        await OnBlocksAsync(header, token).ConfigureAwait(false);
                        break;
                    case FrameKind.Error:
                        OnSenderAbort(header);
                        await _reader.SkipPayloadAsync(header, token).ConfigureAwait(false);
                        break;
                    default:
                        await _reader.SkipPayloadAsync(header, token).ConfigureAwait(false);
                        await ReplyErrorAsync(header.RequestId, $"unexpected {header.Kind} frame on a KV transfer connection", token).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (FrameTruncatedException e)
        {
            lostReason = $"the connection was lost inside a frame ({e.Message})";
        }
        catch (FrameException e) when (e is not FrameChecksumException)
        {
            // The stream can no longer be parsed: say why if the sender still listens, then hang up.
            lostReason = $"the connection was closed after a malformed frame: {e.Message}";
            KvTransferServer.LogProtocolError(_logger, _remote, e);
            await TryReplyErrorAsync(0, lostReason).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            lostReason = token.IsCancellationRequested ? "the receiver is shutting down" : $"the connection was lost: {e.Message}";
        }
        finally
        {
            foreach (var (requestId, transfer) in _transfers)
            {
                if (!transfer.Failed)
                {
                    NotifyFailed(requestId, $"{lostReason} after {transfer.NextIndex} of {transfer.Count} frames");
                }
            }

            _transfers.Clear();
            KvTransferServer.LogConnectionClosed(_logger, _remote);
        }

        await Task.WhenAll(_completions).ConfigureAwait(false);
    }

    private async Task OnBlocksAsync(FrameHeader header, CancellationToken token)
    {
        var requestId = header.RequestId;
        _transfers.TryGetValue(requestId, out var transfer);
        if (header.Index == 0)
        {
            if (transfer is { Failed: false })
            {
                NotifyFailed(requestId, "the sender restarted the transfer");
            }

            transfer = new InboundTransfer(header.Count);
            _transfers[requestId] = transfer;
        }
        else if (transfer is null)
        {
            await _reader.SkipPayloadAsync(header, token).ConfigureAwait(false);
            await FailAsync(requestId, null, $"frame {header.Index} arrived without frame 0", token).ConfigureAwait(false);
            return;
        }

        if (transfer.Failed)
        {
            // The sender has (or will have) our Error; its frames still on the wire are skipped.
            await _reader.SkipPayloadAsync(header, token).ConfigureAwait(false);
            ForgetIfLast(requestId, header);
            return;
        }

        if (header.Index != transfer.NextIndex || header.Count != transfer.Count)
        {
            await _reader.SkipPayloadAsync(header, token).ConfigureAwait(false);
            await FailAsync(requestId, header, $"frame {header.Index}/{header.Count} arrived where frame {transfer.NextIndex}/{transfer.Count} was expected", token).ConfigureAwait(false);
            return;
        }

        KvFrameTarget target;
        try
        {
            target = await _sink.GetTargetAsync(header, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            KvTransferServer.LogSinkFailed(_logger, $"frame {header.Index}", requestId, e);
            target = KvFrameTarget.Refuse($"the receiver failed to place frame {header.Index}: {e.Message}");
        }

        if (!target.IsRefused && target.Destination.Length < header.PayloadLength)
        {
            target = KvFrameTarget.Refuse($"the receiver offered {target.Destination.Length} bytes for the {header.PayloadLength}-byte frame {header.Index}");
        }

        if (target.IsRefused)
        {
            await _reader.SkipPayloadAsync(header, token).ConfigureAwait(false);
            await FailAsync(requestId, header, target.RefusalReason!, token).ConfigureAwait(false);
            return;
        }

        try
        {
            await _reader.ReadPayloadAsync(header, target.Destination, token).ConfigureAwait(false);
        }
        catch (FrameChecksumException e)
        {
            // The whole payload was read, so the stream is still in step: fail this transfer only.
            await FailAsync(requestId, header, e.Message, token).ConfigureAwait(false);
            return;
        }

        transfer.NextIndex++;
        if (transfer.NextIndex == transfer.Count)
        {
            _transfers.Remove(requestId);
            _completions.RemoveAll(t => t.IsCompleted);
            _completions.Add(CompleteAsync(requestId, token));
        }
    }

    /// <summary>
    /// Runs beside the read loop once the sink's completion goes asynchronous, so a slow one does not hold up other
    /// transfers on this connection; a completion that finishes synchronously is acked without a thread hop.
    /// </summary>
    private async Task CompleteAsync(long requestId, CancellationToken token)
    {
        FrameHeader reply;
        try
        {
            await _sink.OnTransferCompletedAsync(requestId, token).ConfigureAwait(false);
            reply = new FrameHeader { Kind = FrameKind.Ack, RequestId = requestId };
        }
        catch (Exception e)
        {
            KvTransferServer.LogSinkFailed(_logger, "completion", requestId, e);
            reply = new FrameHeader { Kind = FrameKind.Error, RequestId = requestId, ErrorMessage = $"the receiver failed to complete the transfer: {e.Message}" };
        }

        try
        {
            await ReplyAsync(reply, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The sender is gone; it has already failed this transfer on its side.
        }
    }

    private void OnSenderAbort(FrameHeader header)
    {
        if (_transfers.Remove(header.RequestId, out var transfer) && !transfer.Failed)
        {
            NotifyFailed(header.RequestId, $"the sender aborted: {header.ErrorMessage ?? "no reason given"}");
        }
    }

    private async Task FailAsync(long requestId, FrameHeader? header, string reason, CancellationToken token)
    {
        if (_transfers.TryGetValue(requestId, out var transfer))
        {
            transfer.Failed = true;
            NotifyFailed(requestId, reason);
            _failedOrder.Enqueue(requestId);
            if (header is not null)
            {
                ForgetIfLast(requestId, header);
            }

            while (_failedOrder.Count > MaxRememberedFailures)
            {
                var oldest = _failedOrder.Dequeue();
                if (_transfers.TryGetValue(oldest, out var old) && old.Failed)
                {
                    _transfers.Remove(oldest);
                }
            }
        }
        else
        {
            KvTransferServer.LogTransferFailed(_logger, requestId, _remote, reason);
        }

        await ReplyErrorAsync(requestId, reason, token).ConfigureAwait(false);
    }

    private void ForgetIfLast(long requestId, FrameHeader header)
    {
        if (header.Index == header.Count - 1)
        {
            _transfers.Remove(requestId);
        }
    }

    private void NotifyFailed(long requestId, string reason)
    {
        KvTransferServer.LogTransferFailed(_logger, requestId, _remote, reason);
        try
        {
            _sink.OnTransferFailed(requestId, reason);
        }
        catch (Exception e)
        {
            KvTransferServer.LogSinkFailed(_logger, "failure", requestId, e);
        }
    }

    private Task ReplyErrorAsync(long requestId, string reason, CancellationToken token) =>
        ReplyAsync(new FrameHeader { Kind = FrameKind.Error, RequestId = requestId, ErrorMessage = reason }, token);

    private async Task TryReplyErrorAsync(long requestId, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(Parting);
            await ReplyErrorAsync(requestId, reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Best effort: the sender may already be gone.
        }
    }

    private async Task ReplyAsync(FrameHeader reply, CancellationToken token)
    {
        await _writeLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            await FrameWriter.WriteAsync(_stream, reply, ReadOnlyMemory<byte>.Empty, token).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Ends the read loop (server shutdown).</summary>
    public void Abort()
    {
        try
        {
            _closing.Cancel();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Already closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _closing.Dispose();
    }

    private sealed class InboundTransfer(int count)
    {
        public int Count { get; } = count;

        public int NextIndex { get; set; }

        public bool Failed { get; set; }
    }
}
