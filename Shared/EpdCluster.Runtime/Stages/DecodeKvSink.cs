using System.Collections.Concurrent;
using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer.Frames;
using EpdCluster.Transfer.Kv;
using EpdCluster.Transfer.Kv.Codecs;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// A decode worker's end of the direct KV channel: accepts frames only for requests it reserved blocks for, lands
/// them in one buffer per transfer, imports them (decoding compressed ones) into the reserved blocks when complete,
/// and reports arrival.
/// </summary>
internal sealed class DecodeKvSink(WorkerEngineHost host, KvArrivals arrivals, KvReceiver receiver) : IKvTransferSink
{
    private readonly ConcurrentDictionary<long, IncomingTransfer> _transfers = new();

    public ValueTask<KvFrameTarget> GetTargetAsync(FrameHeader header, CancellationToken cancellationToken)
    {
        if (!arrivals.IsExpected(header.RequestId))
        {
            return ValueTask.FromResult(KvFrameTarget.Refuse($"worker has no KV reservation for request {header.RequestId} (expired or aborted)"));
        }

        if (header.ModelId is { } model && model != host.ModelId)
        {
            return ValueTask.FromResult(KvFrameTarget.Refuse($"KV of model {model} cannot go into a {host.ModelId} cache"));
        }

        if (header.KvEncoding is { } encoding)
        {
            try
            {
                receiver.EnsureDecodable(encoding);
            }
            catch (KvCodecException e)
            {
                return ValueTask.FromResult(KvFrameTarget.Refuse(e.Message));
            }
        }

        // Compressed transfers announce their size; raw frames but the last carry the same number of blocks, so the first bounds the whole transfer.
        var transfer = _transfers.GetOrAdd(header.RequestId, _ => new IncomingTransfer(
            new byte[checked(header.KvEncoding?.EncodedBytes ?? (header.Offset + (header.PayloadLength * (header.Count - header.Index))))], header.KvEncoding));
        var end = header.Offset + header.PayloadLength;
        if (header.KvEncoding != transfer.Encoding)
        {
            return ValueTask.FromResult(KvFrameTarget.Refuse($"frame {header.Index} of request {header.RequestId} changes the transfer's KV encoding"));
        }

        if (end > transfer.Buffer.Length)
        {
            return ValueTask.FromResult(KvFrameTarget.Refuse($"frame {header.Index} of request {header.RequestId} overruns its transfer"));
        }

        transfer.End = Math.Max(transfer.End, end);
        return ValueTask.FromResult(KvFrameTarget.Accept(transfer.Buffer.AsMemory((int)header.Offset, (int)header.PayloadLength)));
    }

    public async ValueTask OnTransferCompletedAsync(long requestId, CancellationToken cancellationToken)
    {
        if (!_transfers.TryRemove(requestId, out var transfer))
        {
            return;
        }

        await receiver.ImportAsync(requestId, transfer.Encoding, transfer.Buffer.AsMemory(0, (int)transfer.End));
        arrivals.Arrived(requestId);
    }

    public void OnTransferFailed(long requestId, string reason)
    {
        _transfers.TryRemove(requestId, out _);
        arrivals.Failed(requestId, reason);
        host.Engine.Llm.Abort(requestId);
    }

    private sealed class IncomingTransfer(byte[] buffer, KvEncoding? encoding)
    {
        public byte[] Buffer { get; } = buffer;

        public KvEncoding? Encoding { get; } = encoding;

        /// <summary>End of the bytes landed so far (frames arrive in order, one transfer per connection read loop).</summary>
        public long End { get; set; }
    }
}
