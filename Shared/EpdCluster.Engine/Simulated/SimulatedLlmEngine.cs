using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Telemetry;
using EpdCluster.Simulation.Profiles;

namespace EpdCluster.Engine.Simulated;

/// <summary>
/// The language model without tensors, for cluster-scale tests on one machine: the same continuous batching as
/// <see cref="LlmEngine"/> (decode tokens first, then prompt chunks under the token budget, preemption when blocks run
/// out) over a real <see cref="KvBlockAllocator"/> with the profile's capacity, the same reservations, parked blocks,
/// leases and suspended sequences — but each step only holds the inference thread for the profile's step time, and
/// tokens come from <see cref="SimulatedTokens"/>. Exported KV blocks are <see cref="BlockBytes"/> bytes carrying the
/// prompt's digests; their transfer takes the profile's transfer time.
/// </summary>
public sealed class SimulatedLlmEngine : ILlmEngine, IInferenceStage
{
    /// <summary>Bytes of one exported block: the content digest and the prompt digest.</summary>
    public const int BlockBytes = 16;

    private readonly EpdModelConfig _config;
    private readonly EngineProfile _profile;
    private readonly EngineOptions _options;
    private readonly StepPacer _pacer;
    private readonly IReadOnlyList<int> _vocabulary;
    private readonly EngineMetrics? _metrics;
    private readonly KvBlockAllocator _allocator;
    private readonly ConcurrentQueue<SimulatedSequence> _submitted = new();
    private readonly ConcurrentQueue<long> _aborts = new();
    private readonly LinkedList<SimulatedSequence> _waiting = new();
    private readonly List<SimulatedSequence> _running = [];
    private readonly Dictionary<long, SimulatedLease> _reserved = [];
    private readonly Dictionary<long, SimulatedLease> _parked = [];
    private readonly Dictionary<long, SimulatedSequence> _suspended = [];
    private InferenceThread? _thread;
    private long _generatedTokens;
    private long _steps;
    private long _preemptions;
    private volatile LlmEngineStats _stats;

    internal SimulatedLlmEngine(EpdModelConfig config, EngineProfile profile, EngineOptions options, StepPacer pacer, IReadOnlyList<int> vocabulary, EngineMetrics? metrics)
    {
        ArgumentOutOfRangeException.ThrowIfZero(vocabulary.Count);
        _config = config;
        _profile = profile;
        _options = options;
        _pacer = pacer;
        _vocabulary = vocabulary;
        _metrics = metrics;
        _allocator = new KvBlockAllocator(profile.KvBlocks, (int)(profile.KvBlocks * options.WatermarkFraction));
        _stats = Snapshot();
    }

    public int MaxModelLength => _config.Text.MaxPositionEmbeddings;

    public int BlockSize => _profile.BlockSize;

    public LlmEngineStats Stats => _stats;

    public int BytesPerBlock => BlockBytes;

    public KvLayout KvLayout => KvLayout.For(_config.Text, BlockSize);

    internal void Attach(InferenceThread thread) => _thread = thread;

    private InferenceThread Thread => _thread ?? throw new InvalidOperationException("The engine is not attached to an inference thread.");

    public ChannelReader<GeneratedToken> Submit(GenerationRequest request)
    {
        Validate(request);
        var sequence = new SimulatedSequence(request, SimulatedTokens.ContentDigest(request.PromptIds, request.Images));
        _submitted.Enqueue(sequence);
        Thread.Wake();
        return sequence.Output.Reader;
    }

    public void Abort(long requestId)
    {
        _aborts.Enqueue(requestId);
        _thread?.Wake();
    }

    public bool RunStep()
    {
        if (DrainCommands() | ExpireLeases())
        {
            _stats = Snapshot();
        }

        if (_running.Count == 0 && _waiting.Count == 0)
        {
            return false;
        }

        var slices = ScheduleStep();
        if (slices.Count > 0)
        {
            var started = Stopwatch.GetTimestamp();
            var prefilling = slices.Any(s => s.Start < s.Sequence.PromptLength);
            _pacer.WaitUntil(started, _profile.LlmStepSeconds(slices.Count, slices.Sum(s => s.Count)));
            foreach (var (sequence, start, count) in slices)
            {
                sequence.Computed = start + count;
                if (sequence.Computed == sequence.Length && !sequence.Finished)
                {
                    Append(sequence, SimulatedTokens.TokenAt(sequence.ContentDigest, sequence.Generated.Count, _vocabulary));
                }
            }

            _steps++;
            _metrics?.RecordStep(prefilling ? EngineStage.Prefill : EngineStage.Decode, Stopwatch.GetElapsedTime(started), slices.Count);
        }

        _stats = Snapshot();
        return slices.Count > 0;
    }

    public void Shutdown()
    {
        DrainCommands();
        foreach (var sequence in _running.ToList().Concat(_waiting.ToList()).Concat(_suspended.Values.ToList()))
        {
            Finish(sequence, FinishReason.Abort, token: -1);
        }

        _suspended.Clear();
        _stats = Snapshot();
    }

    public Task<int> ReserveAsync(long requestId, int tokens) => Thread.InvokeAsync(() =>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        var count = (Math.Min(tokens, MaxModelLength) + BlockSize - 1) / BlockSize;
        if (_reserved.ContainsKey(requestId))
        {
            throw new InvalidOperationException($"Request {requestId} already holds a KV reservation.");
        }

        if (!_allocator.CanAllocate(count, keepWatermark: true))
        {
            _metrics?.RecordReservation(granted: false);
            throw new InvalidOperationException($"Cannot reserve {count} KV blocks for request {requestId}: {_allocator.FreeBlocks} of {_allocator.TotalBlocks} are free.");
        }

        _reserved[requestId] = new SimulatedLease(_allocator.Allocate(count), LeaseDeadline(), tokens);
        _metrics?.RecordReservation(granted: true);
        _metrics?.RecordLeaseTaken(KvLeaseKind.Reserved, count);
        _stats = Snapshot();
        return count;
    });

    public Task ImportAsync(long requestId, ReadOnlyMemory<byte> blockBytes) => Thread.InvokeAsync(() =>
    {
        var lease = _reserved.TryGetValue(requestId, out var l) ? l : throw new InvalidOperationException($"Request {requestId} has no KV reservation here (expired or never made).");
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

        lease.Imported = digests;
        return true;
    });

    public Task ImportAsync(long requestId, KvSnapshot kv) =>
        throw new NotSupportedException("The simulated engine holds no KV tensors, so compressed KV (Epd:Transfer:KvCodec other than none) cannot be imported.");

    public ChannelReader<GeneratedToken> SubmitPrefilled(GenerationRequest request, int firstToken)
    {
        Validate(request);
        var sequence = new SimulatedSequence(request, contentDigest: 0, [firstToken], recomputable: false) { Computed = request.PromptIds.Length };
        Thread.Post(() => AdmitIntoReservation(sequence));
        return sequence.Output.Reader;
    }

    public async Task<byte[]> ExportParkedAsync(long requestId)
    {
        var (bytes, tokens) = await Thread.InvokeAsync(() =>
        {
            var lease = _parked.TryGetValue(requestId, out var l) ? l : throw new InvalidOperationException($"Request {requestId} has no parked KV blocks here (expired or released).");
            return (WriteBlocks((lease.Tokens + BlockSize - 1) / BlockSize, lease.ContentDigest, lease.PromptDigest), lease.Tokens);
        });

        // The copy out of the cache and over the wire: the profile's transfer time for this many tokens of KV.
        await Task.Delay(_pacer.Scaled(_profile.KvTransferSeconds(tokens)));
        return bytes;
    }

    public Task<KvSnapshot> ExportParkedKvAsync(long requestId, bool withSaliency) =>
        throw new NotSupportedException("The simulated engine holds no KV tensors, so it cannot export KV for a codec (Epd:Transfer:KvCodec must be none).");

    public Task<bool> ReleaseParkedAsync(long requestId) => Thread.InvokeAsync(() =>
    {
        var released = ReleaseLease(_parked, requestId);
        _stats = Snapshot();
        return released;
    });

    public async Task<SuspendedSequence?> SuspendAsync(long requestId)
    {
        var suspended = await Thread.InvokeAsync(() =>
        {
            var sequence = _running.FirstOrDefault(s => s.Id == requestId) ?? _waiting.FirstOrDefault(s => s.Id == requestId);
            if (sequence is null || sequence.Finished || sequence.Request.PrefillOnly || sequence.Generated.Count < 1 || sequence.Computed != sequence.Length - 1)
            {
                return ((SuspendedSequence?)null, 0);
            }

            _running.Remove(sequence);
            _waiting.Remove(sequence);
            _suspended[requestId] = sequence;
            _stats = Snapshot();
            var blocks = WriteBlocks((sequence.Computed + BlockSize - 1) / BlockSize, sequence.ContentDigest, sequence.PromptDigest);
            return (new SuspendedSequence(requestId, [.. sequence.Generated], blocks), sequence.Computed);
        });

        if (suspended.Item1 is not null)
        {
            await Task.Delay(_pacer.Scaled(_profile.KvTransferSeconds(suspended.Item2)));
        }

        return suspended.Item1;
    }

    public Task<bool> ReleaseSuspendedAsync(long requestId) => Thread.InvokeAsync(() =>
    {
        if (!_suspended.Remove(requestId, out var sequence))
        {
            return false;
        }

        sequence.Finished = true;
        sequence.Output.Writer.TryComplete();
        _allocator.Free(sequence.Blocks);
        sequence.Blocks.Clear();
        _stats = Snapshot();
        return true;
    });

    public Task<bool> ResumeSuspendedAsync(long requestId) => Thread.InvokeAsync(() =>
    {
        if (!_suspended.Remove(requestId, out var sequence))
        {
            return false;
        }

        _waiting.AddFirst(sequence);
        _stats = Snapshot();
        return true;
    });

    public ChannelReader<GeneratedToken> SubmitMigrated(GenerationRequest request, IReadOnlyList<int> generatedTokens)
    {
        Validate(request);
        ArgumentOutOfRangeException.ThrowIfZero(generatedTokens.Count);
        var sequence = new SimulatedSequence(request, contentDigest: 0, generatedTokens, recomputable: false);
        sequence.Computed = sequence.Length - 1;
        Thread.Post(() => AdmitIntoReservation(sequence));
        return sequence.Output.Reader;
    }

    private void Validate(GenerationRequest request) =>
        GenerationRequestRules.Validate(request, _config.Text, BlockSize, _allocator.TotalBlocks - _allocator.WatermarkBlocks);

    /// <summary>Gives a sequence whose KV was imported its reservation's blocks and the content its KV carried; fails its stream otherwise.</summary>
    private void AdmitIntoReservation(SimulatedSequence sequence)
    {
        var reserved = _reserved.Remove(sequence.Id, out var lease);
        if (lease is not null)
        {
            _metrics?.RecordLeaseReleased(KvLeaseKind.Reserved, lease.Blocks.Length, expired: false);
        }

        string? failure = null;
        if (!reserved || lease!.Imported is not { } imported)
        {
            failure = $"The KV cache of request {sequence.Id} never arrived on this worker (no reservation, or its {_options.KvLease.TotalSeconds:0} s lease expired).";
        }
        else if (imported.Prompt != sequence.PromptDigest)
        {
            failure = $"The KV cache that arrived for request {sequence.Id} was computed for another prompt.";
        }
        else
        {
            sequence.ContentDigest = imported.Content;
        }

        if (failure is not null)
        {
            if (lease is not null)
            {
                _allocator.Free(lease.Blocks);
            }

            sequence.Output.Writer.TryComplete(new InvalidOperationException(failure));
            _stats = Snapshot();
            return;
        }

        sequence.Blocks.AddRange(lease!.Blocks);
        _waiting.AddFirst(sequence);
    }

    private bool DrainCommands()
    {
        var changed = false;
        while (_submitted.TryDequeue(out var sequence))
        {
            _waiting.AddLast(sequence);
            changed = true;
        }

        while (_aborts.TryDequeue(out var id))
        {
            changed = true;
            var sequence = _running.FirstOrDefault(s => s.Id == id) ?? _waiting.FirstOrDefault(s => s.Id == id)
                ?? (_suspended.Remove(id, out var suspended) ? suspended : null);
            if (sequence is not null)
            {
                Finish(sequence, FinishReason.Abort, token: -1);
            }

            ReleaseLease(_reserved, id);
            ReleaseLease(_parked, id);
        }

        return changed;
    }

    /// <summary>This step's work, chosen as <see cref="LlmEngine"/> chooses it: running sequences first, then admissions.</summary>
    private List<(SimulatedSequence Sequence, int Start, int Count)> ScheduleStep()
    {
        var slices = new List<(SimulatedSequence, int, int)>();
        var budget = _profile.MaxBatchTokens;
        foreach (var sequence in _running.ToList())
        {
            if (sequence.Finished || !_running.Contains(sequence) || budget == 0)
            {
                continue;
            }

            var count = Math.Min(sequence.Length - sequence.Computed, budget);
            while (!TryReserve(sequence, sequence.Computed + count, keepWatermark: false))
            {
                var victim = _running.LastOrDefault(s => s.Recomputable);
                if (victim is null)
                {
                    Finish(sequence, FinishReason.Length, token: -1);
                    break;
                }

                Preempt(victim);
                if (victim == sequence)
                {
                    break;
                }
            }

            if (_running.Contains(sequence))
            {
                slices.Add((sequence, sequence.Computed, count));
                budget -= count;
            }
        }

        while (budget > 0 && _running.Count < _profile.MaxBatchSize && _waiting.First is { } node)
        {
            var sequence = node.Value;
            var count = Math.Min(sequence.Length - sequence.Computed, budget);
            if (!TryReserve(sequence, sequence.Computed + count, keepWatermark: true))
            {
                break;
            }

            _waiting.RemoveFirst();
            _running.Add(sequence);
            slices.Add((sequence, sequence.Computed, count));
            budget -= count;
        }

        return slices;
    }

    private bool TryReserve(SimulatedSequence sequence, int tokens, bool keepWatermark)
    {
        var needed = ((tokens + BlockSize - 1) / BlockSize) - sequence.Blocks.Count;
        if (needed <= 0)
        {
            return true;
        }

        if (!_allocator.CanAllocate(needed, keepWatermark))
        {
            return false;
        }

        sequence.Blocks.AddRange(_allocator.Allocate(needed));
        return true;
    }

    private void Preempt(SimulatedSequence sequence)
    {
        _allocator.Free(sequence.Blocks);
        sequence.Blocks.Clear();
        sequence.Computed = 0;
        _running.Remove(sequence);
        _waiting.AddFirst(sequence);
        _preemptions++;
        _metrics?.RecordPreemption();
    }

    private void Append(SimulatedSequence sequence, int token)
    {
        sequence.Generated.Add(token);
        _generatedTokens++;
        if (sequence.Generated.Count >= sequence.Request.Sampling.MaxTokens || sequence.Length >= MaxModelLength)
        {
            Finish(sequence, FinishReason.Length, token);
        }
        else if (sequence.Request.PrefillOnly)
        {
            Park(sequence, token);
        }
        else
        {
            sequence.Output.Writer.TryWrite(new GeneratedToken(token, sequence.Generated.Count - 1, null));
        }
    }

    private void Finish(SimulatedSequence sequence, FinishReason reason, int token)
    {
        if (sequence.Finished)
        {
            return;
        }

        sequence.Finished = true;
        var index = token >= 0 ? sequence.Generated.Count - 1 : sequence.Generated.Count;
        sequence.Output.Writer.TryWrite(new GeneratedToken(token, index, reason));
        sequence.Output.Writer.TryComplete();
        _allocator.Free(sequence.Blocks);
        sequence.Blocks.Clear();
        _running.Remove(sequence);
        _waiting.Remove(sequence);
    }

    /// <summary>Keeps a prefill-only sequence's blocks for export and ends its stream after its first token.</summary>
    private void Park(SimulatedSequence sequence, int token)
    {
        sequence.Finished = true;
        sequence.Output.Writer.TryWrite(new GeneratedToken(token, 0, null));
        sequence.Output.Writer.TryComplete();
        _parked[sequence.Id] = new SimulatedLease([.. sequence.Blocks], LeaseDeadline(), sequence.PromptLength)
        {
            ContentDigest = sequence.ContentDigest,
            PromptDigest = sequence.PromptDigest,
        };
        _metrics?.RecordLeaseTaken(KvLeaseKind.Parked, sequence.Blocks.Count);
        sequence.Blocks.Clear();
        _running.Remove(sequence);
    }

    private bool ReleaseLease(Dictionary<long, SimulatedLease> leases, long requestId, bool expired = false)
    {
        if (!leases.Remove(requestId, out var lease))
        {
            return false;
        }

        _allocator.Free(lease.Blocks);
        _metrics?.RecordLeaseReleased(ReferenceEquals(leases, _reserved) ? KvLeaseKind.Reserved : KvLeaseKind.Parked, lease.Blocks.Length, expired);
        return true;
    }

    private bool ExpireLeases()
    {
        if (_reserved.Count == 0 && _parked.Count == 0)
        {
            return false;
        }

        var now = Stopwatch.GetTimestamp();
        var expired = false;
        foreach (var leases in new[] { _reserved, _parked })
        {
            foreach (var id in leases.Where(kv => kv.Value.DeadlineTimestamp <= now).Select(kv => kv.Key).ToList())
            {
                expired |= ReleaseLease(leases, id, expired: true);
            }
        }

        return expired;
    }

    private long LeaseDeadline() => Stopwatch.GetTimestamp() + (long)(_options.KvLease.TotalSeconds * Stopwatch.Frequency);

    private static byte[] WriteBlocks(int count, ulong content, ulong prompt)
    {
        var bytes = new byte[count * BlockBytes];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * BlockBytes), content);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((i * BlockBytes) + 8), prompt);
        }

        return bytes;
    }

    private static (ulong Content, ulong Prompt) ReadDigests(ReadOnlySpan<byte> block) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(block), BinaryPrimitives.ReadUInt64LittleEndian(block[8..]));

    private LlmEngineStats Snapshot() => new(
        _running.Count,
        _waiting.Count,
        _allocator.FreeBlocks,
        _allocator.TotalBlocks,
        _waiting.Sum(s => (long)(s.Length - s.Computed)) + _running.Sum(s => (long)Math.Max(0, s.PromptLength - s.Computed)),
        _generatedTokens,
        _steps,
        _preemptions,
        _reserved.Count,
        _parked.Count,
        _suspended.Count);
}
