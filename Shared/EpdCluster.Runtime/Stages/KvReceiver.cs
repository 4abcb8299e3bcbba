using EpdCluster.Runtime.Workers;
using EpdCluster.Transfer.Kv.Codecs;

namespace EpdCluster.Runtime.Stages;

/// <summary>
/// A decode worker's import of a finished KV transfer, from the direct channel or Redis: raw fp32 blocks go straight
/// into the reservation; compressed ones are decoded first (off the inference thread) into the normal paged cache.
/// </summary>
internal sealed class KvReceiver(WorkerEngineHost host, KvCompressor compressor)
{
    /// <summary>Throws <see cref="KvCodecException"/> when this worker cannot decode <paramref name="encoding"/> (refuse before landing any byte).</summary>
    public void EnsureDecodable(KvEncoding encoding) => compressor.EnsureDecodable(encoding, host.Engine.Llm.KvLayout);

    public async Task ImportAsync(long requestId, KvEncoding? encoding, ReadOnlyMemory<byte> bytes)
    {
        var llm = host.Engine.Llm;
        if (encoding is null)
        {
            await llm.ImportAsync(requestId, bytes);
            return;
        }

        var kv = await Task.Run(() => compressor.Decode(encoding, bytes.Span, llm.KvLayout));
        await llm.ImportAsync(requestId, kv);
    }
}
