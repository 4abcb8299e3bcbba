using System.Collections.Concurrent;
using System.Net;
using EpdCluster.Transfer.Frames;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EpdCluster.Transfer.Kv;

/// <summary>
/// The sending end of the direct KV channel (a prefill worker). Keeps one connection per receiver, shared by
/// concurrent transfers and reopened when broken; streams each transfer as frames of
/// <see cref="TransferOptions.FrameBlocks"/> blocks and waits for the receiver's Ack.
/// </summary>
public sealed partial class KvTransferClient : IAsyncDisposable
{
    private readonly TransferOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IPEndPoint, KvClientConnection> _connections = new();
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private bool _disposed;

    public KvTransferClient(TransferOptions options, ILogger<KvTransferClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Sends <paramref name="blocks"/> (<see cref="KvTransfer.BlockCount"/> × <see cref="KvTransfer.BytesPerBlock"/>
    /// bytes) to the receiver at <paramref name="target"/> and returns once it acknowledged them. Throws
    /// <see cref="KvTransferException"/> with the receiver's reason (refused, checksum mismatch) or the connection's
    /// (lost), and <see cref="TimeoutException"/> when no Ack comes within <see cref="TransferOptions.AckTimeout"/>.
    /// When a reused connection turns out dead (the receiver restarted since), the transfer is sent once more on a new
    /// one: without an Ack the receiver holds nothing, and frame 0 restarts a transfer.
    /// </summary>
    public async Task SendAsync(IPEndPoint target, KvTransfer transfer, ReadOnlyMemory<byte> blocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ObjectDisposedException.ThrowIf(_disposed, this);
        KvFraming.Check(transfer, blocks.Length);
        for (var attempt = 0; ; attempt++)
        {
            var (connection, reused) = await GetConnectionAsync(target, cancellationToken).ConfigureAwait(false);
            try
            {
                await SendOnAsync(connection, transfer, blocks, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (KvTransferException e) when (e.ConnectionLost && reused && attempt == 0)
            {
                LogReconnecting(_logger, target, e.Message);
            }
        }
    }

    private async Task SendOnAsync(KvClientConnection connection, KvTransfer transfer, ReadOnlyMemory<byte> blocks, CancellationToken cancellationToken)
    {
        var requestId = transfer.RequestId;
        var reply = connection.Register(requestId);
        try
        {
            foreach (var (header, payload) in KvFraming.Split(transfer, blocks, _options.FrameBlocks))
            {
                if (reply.IsCompleted)
                {
                    // The receiver already answered (an Error) or the connection broke: stop streaming the rest.
                    break;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    await AbortAsync(connection, requestId, "the sender cancelled the transfer").ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                // Hash outside the connection's write lock, so other transfers keep the wire busy meanwhile.
                var sealedHeader = FrameWriter.Seal(header, payload.Span);
                await connection.WriteAsync(sealedHeader, payload, cancellationToken).ConfigureAwait(false);
            }

            await WaitForReplyAsync(connection, transfer, reply, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.Unregister(requestId);
        }
    }

    private async Task WaitForReplyAsync(KvClientConnection connection, KvTransfer transfer, Task<FrameHeader> reply, CancellationToken cancellationToken)
    {
        FrameHeader answer;
        try
        {
            answer = await reply.WaitAsync(_options.AckTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await AbortAsync(connection, transfer.RequestId, $"no Ack within {_options.AckTimeout}").ConfigureAwait(false);
            throw new TimeoutException($"KV transfer {transfer.RequestId} to {connection.Remote}: no Ack within {_options.AckTimeout}.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await AbortAsync(connection, transfer.RequestId, "the sender cancelled the transfer").ConfigureAwait(false);
            throw;
        }

        if (answer.Kind == FrameKind.Error)
        {
            throw new KvTransferException(transfer.RequestId, $"KV transfer {transfer.RequestId} to {connection.Remote} failed: {answer.ErrorMessage}");
        }
    }

    /// <summary>Tells the receiver to drop a transfer this side gave up on, so it frees what it reserved.</summary>
    private static async Task AbortAsync(KvClientConnection connection, long requestId, string reason)
    {
        var abort = FrameWriter.Seal(new FrameHeader { Kind = FrameKind.Error, RequestId = requestId, ErrorMessage = reason }, ReadOnlySpan<byte>.Empty);
        try
        {
            await connection.WriteAsync(abort, ReadOnlyMemory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
        }
        catch (KvTransferException)
        {
            // The connection is gone, and with it the receiver's state for this transfer.
        }
    }

    /// <summary>An open connection to <paramref name="target"/>, and whether it was opened before this call.</summary>
    private async Task<(KvClientConnection Connection, bool Reused)> GetConnectionAsync(IPEndPoint target, CancellationToken cancellationToken)
    {
        if (_connections.TryGetValue(target, out var existing) && !existing.IsBroken)
        {
            return (existing, true);
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connections.TryGetValue(target, out existing))
            {
                if (!existing.IsBroken)
                {
                    return (existing, true);
                }

                _connections.TryRemove(target, out _);
                await existing.DisposeAsync().ConfigureAwait(false);
            }

            var connection = await KvClientConnection.ConnectAsync(target, _options.FrameLimits, _options.ConnectTimeout, _options.AckTimeout, cancellationToken).ConfigureAwait(false);
            _connections[target] = connection;
            LogConnected(_logger, target);
            return (connection, false);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connections.Clear();
    }
}
