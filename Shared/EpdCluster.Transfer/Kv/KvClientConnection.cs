using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Kv;

/// <summary>
/// One sender connection to a receiver. Transfers share it: each frame is written whole under a lock (so frames of
/// concurrent transfers interleave, never mix), and a read loop hands each Ack or Error to the transfer it names.
/// Once broken it stays broken; the client opens a new one.
/// </summary>
internal sealed class KvClientConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly FrameReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<FrameHeader>> _pending = new();
    private readonly TimeSpan _writeTimeout;
    private readonly Task _readLoop;
    private string? _brokenReason;

    private KvClientConnection(Socket socket, IPEndPoint remote, FrameLimits limits, TimeSpan writeTimeout)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new FrameReader(_stream, limits);
        _writeTimeout = writeTimeout;
        Remote = remote;
        _readLoop = Task.Run(ReadRepliesAsync);
    }

    public IPEndPoint Remote { get; }

    public bool IsBroken => BrokenReason is not null;

    private string? BrokenReason => Volatile.Read(ref _brokenReason);

    public static async Task<KvClientConnection> ConnectAsync(IPEndPoint remote, FrameLimits limits, TimeSpan connectTimeout, TimeSpan writeTimeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            try
            {
                await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Could not connect to KV receiver {remote} within {connectTimeout}.");
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new KvClientConnection(socket, remote, limits, writeTimeout);
    }

    /// <summary>The task that completes with the receiver's Ack or Error frame for <paramref name="requestId"/>.</summary>
    public Task<FrameHeader> Register(long requestId)
    {
        var reply = new TaskCompletionSource<FrameHeader>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(requestId, reply))
        {
            throw new InvalidOperationException($"KV transfer {requestId} to {Remote} is already in progress.");
        }

        // Breaking may have raced the registration; fail it rather than leave it waiting forever.
        if (BrokenReason is { } reason)
        {
            reply.TrySetException(Lost(requestId, reason));
        }

        return reply.Task;
    }

    public void Unregister(long requestId) => _pending.TryRemove(requestId, out _);

    /// <summary>Writes one sealed frame. A write that fails or stalls past the write timeout breaks the connection.</summary>
    public async Task WriteAsync(FrameHeader header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (BrokenReason is { } reason)
        {
            throw Lost(header.RequestId, reason);
        }

        var prefixedHeader = FrameHeaderSerializer.SerializeWithPrefix(header);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Not the caller's token: a frame cut in half would desynchronise every transfer on this connection.
            await SendAsync(prefixedHeader, payload).WaitAsync(_writeTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            Break($"a frame write stalled for {_writeTimeout} (the receiver stopped reading)");
            throw Lost(header.RequestId, BrokenReason!, e);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Break($"a write failed: {e.Message}");
            throw Lost(header.RequestId, BrokenReason!, e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Header and payload in one gathered send when the payload is array-backed: the receiver wakes once per frame
    /// instead of once for a lone header segment (the socket has Nagle off).
    /// </summary>
    private async Task SendAsync(byte[] prefixedHeader, ReadOnlyMemory<byte> payload)
    {
        if (!payload.IsEmpty && MemoryMarshal.TryGetArray(payload, out var segment))
        {
            await _socket.SendAsync([new ArraySegment<byte>(prefixedHeader), segment], SocketFlags.None).ConfigureAwait(false);
            return;
        }

        await _stream.WriteAsync(prefixedHeader).ConfigureAwait(false);
        if (!payload.IsEmpty)
        {
            await _stream.WriteAsync(payload).ConfigureAwait(false);
        }
    }

    private async Task ReadRepliesAsync()
    {
        string reason;
        try
        {
            while (await _reader.ReadHeaderAsync().ConfigureAwait(false) is { } header)
            {
                await _reader.SkipPayloadAsync(header).ConfigureAwait(false);
                if (header.Kind is not (FrameKind.Ack or FrameKind.Error))
                {
                    throw new FrameFormatException($"A KV receiver sent a {header.Kind} frame; only Ack and Error are replies.");
                }

                if (header.Kind == FrameKind.Error && header.RequestId == 0 && !_pending.ContainsKey(0))
                {
                    // Addressed to the connection, not a transfer: the receiver is hanging up.
                    Break($"the receiver closed the connection: {header.ErrorMessage}");
                    return;
                }

                // A reply for a transfer that timed out or was abandoned is dropped.
                if (_pending.TryRemove(header.RequestId, out var reply))
                {
                    reply.TrySetResult(header);
                }
            }

            reason = "the receiver closed the connection";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            reason = $"the connection was lost: {e.Message}";
        }

        Break(reason);
    }

    private void Break(string reason)
    {
        if (Interlocked.CompareExchange(ref _brokenReason, reason, null) is not null)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer.
        }

        foreach (var requestId in _pending.Keys)
        {
            if (_pending.TryRemove(requestId, out var reply))
            {
                reply.TrySetException(Lost(requestId, reason));
            }
        }
    }

    private KvTransferException Lost(long requestId, string reason, Exception? inner = null)
    {
        var message = $"KV transfer {requestId} to {Remote} failed: {reason}.";
        return inner is null
            ? new KvTransferException(requestId, message) { ConnectionLost = true }
            : new KvTransferException(requestId, message, inner) { ConnectionLost = true };
    }

    public async ValueTask DisposeAsync()
    {
        Break("the sender closed the connection");
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);
    }
}
