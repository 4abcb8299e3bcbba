using System.Collections.Concurrent;
using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Kv;

namespace EpdCluster.Transfer.Tests.Kv;

/// <summary>
/// A decode worker's stand-in: transfers must be reserved first (others are refused as unknown); each frame lands at
/// its offset in the reserved buffer; completions and failures are recorded and awaitable.
/// </summary>
internal sealed class RecordingSink : IKvTransferSink
{
    private readonly ConcurrentDictionary<long, byte[]> _buffers = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string?>> _outcomes = new();

    /// <summary>Delay before a completion returns (to make a sender's Ack wait time out).</summary>
    public TimeSpan CompletionDelay { get; set; }

    public ConcurrentQueue<FrameHeader> Frames { get; } = new();

    public byte[] Reserve(long requestId, int bytes)
    {
        var buffer = new byte[bytes];
        _buffers[requestId] = buffer;
        Outcome(requestId);
        return buffer;
    }

    /// <summary>Null when the transfer completed, else the failure reason.</summary>
    public Task<string?> OutcomeAsync(long requestId) => Outcome(requestId).Task.WaitAsync(TimeSpan.FromSeconds(20));

    public ValueTask<KvFrameTarget> GetTargetAsync(FrameHeader header, CancellationToken cancellationToken)
    {
        Frames.Enqueue(header);
        return ValueTask.FromResult(_buffers.TryGetValue(header.RequestId, out var buffer)
            ? KvFrameTarget.Accept(buffer.AsMemory((int)header.Offset, (int)header.PayloadLength))
            : KvFrameTarget.Refuse($"unknown request id {header.RequestId}"));
    }

    public async ValueTask OnTransferCompletedAsync(long requestId, CancellationToken cancellationToken)
    {
        await Task.Delay(CompletionDelay, cancellationToken);
        Outcome(requestId).TrySetResult(null);
    }

    public void OnTransferFailed(long requestId, string reason) => Outcome(requestId).TrySetResult(reason);

    private TaskCompletionSource<string?> Outcome(long requestId) =>
        _outcomes.GetOrAdd(requestId, _ => new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously));
}
