using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EpdCluster.Transfer.Kv;

/// <summary>
/// The receiving end of the direct KV channel: listens on loopback, accepts any number of sender connections, and
/// lands each KvBlocks frame where the <see cref="IKvTransferSink"/> says, replying one Ack or Error per transfer.
/// </summary>
public sealed partial class KvTransferServer : IAsyncDisposable
{
    /// <summary>Pending connections the kernel queues while the accept loop is busy (the .NET default for listeners).</summary>
    private const int ListenBacklog = 512;

    private readonly IKvTransferSink _sink;
    private readonly TransferOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<KvServerConnection, Task> _connections = new();
    private Socket? _listener;
    private Task? _acceptLoop;

    public KvTransferServer(IKvTransferSink sink, TransferOptions options, ILogger<KvTransferServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _sink = sink;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The bound loopback endpoint (the real port when <see cref="TransferOptions.DirectPort"/> is 0). Valid after <see cref="Start"/>.</summary>
    public IPEndPoint EndPoint => (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("The KV transfer server has not started.");

    /// <summary>Binds 127.0.0.1 on the configured port and starts accepting connections.</summary>
    public void Start()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The KV transfer server has already started.");
        }

        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, _options.DirectPort));
            listener.Listen(ListenBacklog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        LogListening(_logger, EndPoint);
        _acceptLoop = AcceptLoopAsync(listener, _stopping.Token);
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A peer that reset before we accepted it; the listener itself is fine.
                LogAcceptFailed(_logger, e.SocketErrorCode);
                continue;
            }

            socket.NoDelay = true;
            var connection = new KvServerConnection(socket, _sink, _options.FrameLimits, _logger);
            // Registered before it runs, so its own removal can never come first.
            var run = new Task<Task>(() => RunConnectionAsync(connection, stopping));
            _connections[connection] = run.Unwrap();
            run.Start(TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(KvServerConnection connection, CancellationToken stopping)
    {
        try
        {
            await connection.RunAsync(stopping).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops listening and closes every connection; transfers in progress fail at the sink.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (var connection in _connections.Keys)
        {
            connection.Abort();
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
