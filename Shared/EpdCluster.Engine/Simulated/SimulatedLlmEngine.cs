using System.Buffers.Binary;
using System.Diagnostics;
using System.Threading.Channels;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Simulation.Profiles;

namespace EpdCluster.Engine.Simulated;

/// <summary>
/// The language model without tensors, for cluster-scale tests on one machine: the batching, KV block accounting,
/// reservations, parked blocks, leases and suspended sequences of <see cref="LlmEngine"/> (the same
/// <see cref="SequenceBook{TSequence, TLease}"/>, over a pool of the profile's capacity) — but each step only holds the
/// inference thread for the profile's step time, and tokens come from <see cref="SimulatedTokens"/>. Exported KV blocks
/// are <see cref="BlockBytes"/> bytes carrying the prompt's digests; their transfer takes the profile's transfer time.
/// </summary>
public sealed class SimulatedLlmEngine : ILlmEngine, IInferenceStage
{
    /// <summary>Bytes of one exported block: the content digest and the prompt digest.</summary>
    public const int BlockBytes = 16;

    private readonly EpdModelConfig _config;
    private readonly EngineProfile _profile;
    private readonly StepPacer _pacer;
    private readonly IReadOnlyList<int> _vocabulary;
    private readonly SequenceBook<SimulatedSequence, SimulatedLease> _book;

    internal SimulatedLlmEngine(EpdModelConfig config, EngineProfile profile, EngineOptions options, StepPacer pacer, IReadOnlyList<int> vocabulary, EngineMetrics? metrics)
    {
        ArgumentOutOfRangeException.ThrowIfZero(vocabulary.Count);
        _config = config;
        _profile = profile;
        _pacer = pacer;
        _vocabulary = vocabulary;
        _book = new SequenceBook<SimulatedSequence, SimulatedLease>(
            config.Text,
            new BatchLimits(profile.BlockSize, profile.KvBlocks, options.WatermarkFraction, profile.MaxBatchSize, profile.MaxBatchTokens, options.KvLease),
            metrics,
            (blocks, deadline, tokens) => new SimulatedLease(blocks, deadline, tokens),
            (sequence, blocks, deadline) => new SimulatedLease(blocks, deadline, sequence.PromptLength) { Digests = (sequence.ContentDigest, sequence.PromptDigest) });
    }

    public int MaxModelLength => _book.MaxModelLength;

    public int BlockSize => _book.BlockSize;

    public LlmEngineStats Stats => _book.Stats;

    public int BytesPerBlock => BlockBytes;

    public KvLayout KvLayout => KvLayout.For(_config.Text, BlockSize);

    internal void Attach(InferenceThread thread) => _book.Attach(thread);

    private InferenceThread Thread => _book.Thread;

    public ChannelReader<GeneratedToken> Submit(GenerationRequest request)
    {
        _book.Validate(request);
        return _book.Submit(new SimulatedSequence(request, SimulatedTokens.ContentDigest(request.PromptIds, request.Images)));
    }

    public void Abort(long requestId) => _book.Abort(requestId);

    public bool RunStep() => _book.RunStep(slices =>
    {
        _pacer.WaitUntil(Stopwatch.GetTimestamp(), _profile.LlmStepSeconds(slices.Count, slices.Sum(s => s.Count)));
        foreach (var (sequence, start, count) in slices)
        {
            sequence.Computed = start + count;
            if (sequence.Computed == sequence.Length && !sequence.Finished)
            {
                _book.Append(sequence, SimulatedTokens.TokenAt(sequence.ContentDigest, sequence.GeneratedTokens.Count, _vocabulary), stop: false);
            }
        }
    });

    public void Shutdown() => _book.Shutdown();

    public Task<int> ReserveAsync(long requestId, int tokens) => Thread.InvokeAsync(() => _book.Reserve(requestId, tokens));

    public Task ImportAsync(long requestId, ReadOnlyMemory<byte> blockBytes) => Thread.InvokeAsync(() =>
    {
        var lease = _book.Leases.Reserved(requestId);
        var count = blockBytes.Length / BlockBytes;
        if (count == 0 || blockBytes.Length % BlockBytes != 0 || count > lease.Blocks.Length)
        {
            throw new ArgumentException($"{blockBytes.Length} bytes are not a whole number of simulated KV blocks ({BlockBytes} bytes each) within the {lease.Blocks.Length} reserved.");
        }

        var digests = ReadDigests(blockBytes.Span[..BlockBytes]);
        for (var i = 1; i < count; i++)
        {
            if (ReadDigests(blockBytes.Span.Slice(i * BlockBytes, BlockBytes)) != digests)
            {
                throw new ArgumentException($"Simulated KV block {i} of request {requestId} belongs to another sequence than block 0.");
            }
        }

        lease.Digests = digests;
        lease.Imported = true;
        return true;
    });

    public Task ImportAsync(long requestId, KvSnapshot kv) =>
        throw new NotSupportedException("The simulated engine holds no KV tensors, so compressed KV (Epd:Transfer:KvCodec other than none) cannot be imported.");

    public ChannelReader<GeneratedToken> SubmitPrefilled(GenerationRequest request, int firstToken)
    {
        _book.Validate(request);
        var sequence = new SimulatedSequence(request, contentDigest: 0, [firstToken], recomputable: false) { Computed = request.PromptIds.Length };
        return _book.SubmitIntoReservation(sequence, lease => Adopt(sequence, lease));
    }

    public async Task<byte[]> ExportParkedAsync(long requestId)
    {
        var (bytes, tokens) = await Thread.InvokeAsync(() =>
        {
            var lease = _book.Leases.Parked(requestId);
            return (WriteBlocks(_book.BlocksFor(lease.Tokens), lease.Digests), lease.Tokens);
        });

        // The copy out of the cache and over the wire: the profile's transfer time for this many tokens of KV.
        await Task.Delay(_pacer.Scaled(_profile.KvTransferSeconds(tokens)));
        return bytes;
    }

    public Task<KvSnapshot> ExportParkedKvAsync(long requestId, bool withSaliency) =>
        throw new NotSupportedException("The simulated engine holds no KV tensors, so it cannot export KV for a codec (Epd:Transfer:KvCodec must be none).");

    public Task<bool> ReleaseParkedAsync(long requestId) => Thread.InvokeAsync(() => _book.ReleaseParked(requestId));

    public async Task<SuspendedSequence?> SuspendAsync(long requestId)
    {
        var suspended = await Thread.InvokeAsync(() =>
        {
            if (_book.Suspend(requestId) is not { } sequence)
            {
                return ((SuspendedSequence?)null, 0);
            }

            var blocks = WriteBlocks(_book.BlocksFor(sequence.Computed), (sequence.ContentDigest, sequence.PromptDigest));
            return (new SuspendedSequence(requestId, [.. sequence.GeneratedTokens], blocks), sequence.Computed);
        });

        if (suspended.Item1 is not null)
        {
            await Task.Delay(_pacer.Scaled(_profile.KvTransferSeconds(suspended.Item2)));
        }

        return suspended.Item1;
    }

    public Task<bool> ReleaseSuspendedAsync(long requestId) => Thread.InvokeAsync(() => _book.ReleaseSuspended(requestId));

    public Task<bool> ResumeSuspendedAsync(long requestId) => Thread.InvokeAsync(() => _book.ResumeSuspended(requestId));

    public ChannelReader<GeneratedToken> SubmitMigrated(GenerationRequest request, IReadOnlyList<int> generatedTokens)
    {
        _book.Validate(request);
        ArgumentOutOfRangeException.ThrowIfZero(generatedTokens.Count);
        var sequence = new SimulatedSequence(request, contentDigest: 0, generatedTokens, recomputable: false);
        sequence.Computed = sequence.Length - 1;
        return _book.SubmitIntoReservation(sequence, lease => Adopt(sequence, lease));
    }

    /// <summary>Gives a sequence the content its imported KV carried; refuses KV computed for another prompt.</summary>
    private static string? Adopt(SimulatedSequence sequence, SimulatedLease lease)
    {
        if (lease.Digests.Prompt != sequence.PromptDigest)
        {
            return $"The KV cache that arrived for request {sequence.Id} was computed for another prompt.";
        }

        sequence.ContentDigest = lease.Digests.Content;
        return null;
    }

    private static byte[] WriteBlocks(int count, (ulong Content, ulong Prompt) digests)
    {
        var bytes = new byte[count * BlockBytes];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * BlockBytes), digests.Content);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((i * BlockBytes) + 8), digests.Prompt);
        }

        return bytes;
    }

    private static (ulong Content, ulong Prompt) ReadDigests(ReadOnlySpan<byte> block) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(block), BinaryPrimitives.ReadUInt64LittleEndian(block[8..]));
}
