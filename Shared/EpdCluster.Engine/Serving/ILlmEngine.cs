using System.Threading.Channels;
using EpdCluster.Engine.Kv;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// The language-model side of a worker's engine as the stages use it: continuous batching over a pool of KV blocks,
/// reservations and parked blocks between stages, export and import of KV, and suspending a decoding sequence to move
/// it. <see cref="LlmEngine"/> runs the model; <see cref="Simulated.SimulatedLlmEngine"/> replays a timing profile.
/// </summary>
public interface ILlmEngine
{
    /// <summary>Longest sequence (prompt + generated) the engine can hold.</summary>
    int MaxModelLength { get; }

    int BlockSize { get; }

    LlmEngineStats Stats { get; }

    /// <summary>Bytes of one exported KV block.</summary>
    int BytesPerBlock { get; }

    /// <summary>The shape of exported KV blocks.</summary>
    KvLayout KvLayout { get; }

    /// <summary>Queues a request and returns its token stream; throws <see cref="ArgumentException"/> for a request that can never be served.</summary>
    ChannelReader<GeneratedToken> Submit(GenerationRequest request);

    /// <summary>Stops the request wherever it is and frees its blocks; its stream ends with <see cref="FinishReason.Abort"/>.</summary>
    void Abort(long requestId);

    /// <summary>Reserves blocks for <paramref name="tokens"/> tokens of a request prefilled elsewhere, under a lease; returns the block count.</summary>
    Task<int> ReserveAsync(long requestId, int tokens);

    /// <summary>Writes transferred raw KV blocks into the request's reservation.</summary>
    Task ImportAsync(long requestId, ReadOnlyMemory<byte> blockBytes);

    /// <summary>Writes a decoded KV snapshot into the request's reservation.</summary>
    Task ImportAsync(long requestId, KvSnapshot kv);

    /// <summary>Continues a request prefilled elsewhere whose KV was imported; the stream yields the tokens after <paramref name="firstToken"/>.</summary>
    ChannelReader<GeneratedToken> SubmitPrefilled(GenerationRequest request, int firstToken);

    /// <summary>Copies a parked request's raw KV blocks for transfer.</summary>
    Task<byte[]> ExportParkedAsync(long requestId);

    /// <summary>Copies a parked request's KV for a codec, optionally with attention saliency.</summary>
    Task<KvSnapshot> ExportParkedKvAsync(long requestId, bool withSaliency);

    /// <summary>Frees a parked request's blocks.</summary>
    Task<bool> ReleaseParkedAsync(long requestId);

    /// <summary>Takes a decoding sequence out of the batch to move it; null when it is not decoding here.</summary>
    Task<SuspendedSequence?> SuspendAsync(long requestId);

    /// <summary>Ends a suspended sequence here because it continues elsewhere.</summary>
    Task<bool> ReleaseSuspendedAsync(long requestId);

    /// <summary>Puts a suspended sequence back into the batch (its move failed).</summary>
    Task<bool> ResumeSuspendedAsync(long requestId);

    /// <summary>Continues a sequence that was decoding on another worker, from its imported KV and the tokens it generated.</summary>
    ChannelReader<GeneratedToken> SubmitMigrated(GenerationRequest request, IReadOnlyList<int> generatedTokens);
}
