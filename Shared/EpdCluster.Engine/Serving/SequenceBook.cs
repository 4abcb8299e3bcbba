using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Telemetry;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// The bookkeeping of continuous (iteration-level) batching over a pool of KV blocks, for <see cref="LlmEngine"/> and
/// <see cref="Simulated.SimulatedLlmEngine"/> alike: submissions and aborts, the waiting queue and the running batch,
/// each step's work under the token budget (running sequences first, then admissions), preemption when blocks run out,
/// finishing and parking sequences, KV leases (<see cref="KvLeaseTable{TLease}"/>), suspended sequences and the
/// <see cref="LlmEngineStats"/> snapshot. The engine computes the chosen slices and moves KV bytes. Apart from
/// <see cref="Submit"/>, <see cref="SubmitIntoReservation"/> and <see cref="Abort"/>, touched only on the inference thread.
/// </summary>
internal sealed class SequenceBook<TSequence, TLease>
    where TSequence : BatchedSequence
    where TLease : BlockLease
{
    private readonly TextConfig _text;
    private readonly BatchLimits _limits;
    private readonly EngineMetrics? _metrics;
    private readonly Func<TSequence, int[], long, TLease> _parkedLease;
    private readonly ConcurrentQueue<TSequence> _submitted = new();
    private readonly ConcurrentQueue<long> _aborts = new();
    private readonly LinkedList<TSequence> _waiting = new();
    private readonly List<TSequence> _running = [];
    private readonly Dictionary<long, TSequence> _suspended = [];
    private InferenceThread? _thread;
    private long _generatedTokens;
    private long _steps;
    private long _preemptions;
    private volatile LlmEngineStats _stats;

    /// <param name="text">The language model's shape: what requests must fit, and the context length.</param>
    /// <param name="newReservation">A reservation's lease, from its blocks, deadline and tokens.</param>
    /// <param name="parkedLease">A parked prompt's lease, from its sequence, blocks and deadline.</param>
    public SequenceBook(TextConfig text, BatchLimits limits, EngineMetrics? metrics, Func<int[], long, int, TLease> newReservation, Func<TSequence, int[], long, TLease> parkedLease)
    {
        _text = text;
        _limits = limits;
        _metrics = metrics;
        _parkedLease = parkedLease;
        Allocator = new KvBlockAllocator(limits.TotalBlocks, (int)(limits.TotalBlocks * limits.WatermarkFraction));
        Leases = new KvLeaseTable<TLease>(Allocator, limits.KvLease, metrics, newReservation);
        _stats = Snapshot();
    }

    public KvBlockAllocator Allocator { get; }

    public KvLeaseTable<TLease> Leases { get; }

    public LlmEngineStats Stats => _stats;

    public int BlockSize => _limits.BlockSize;

    /// <summary>Longest sequence (prompt + generated) the model can hold.</summary>
    public int MaxModelLength => _text.MaxPositionEmbeddings;

    public InferenceThread Thread => _thread ?? throw new InvalidOperationException("The engine is not attached to an inference thread.");

    public void Attach(InferenceThread thread) => _thread = thread;

    /// <summary>Blocks that hold <paramref name="tokens"/> tokens.</summary>
    public int BlocksFor(int tokens) => (tokens + BlockSize - 1) / BlockSize;

    /// <summary>Throws <see cref="ArgumentException"/> for a request the engine can never serve (bad ids, image rows that do not fit, a prompt longer than the context or the cache).</summary>
    public void Validate(GenerationRequest request) =>
        GenerationRequestRules.Validate(request, _text, BlockSize, Allocator.TotalBlocks - Allocator.WatermarkBlocks);

    /// <summary>Queues a new sequence at the back of the waiting queue and returns its token stream.</summary>
    public ChannelReader<GeneratedToken> Submit(TSequence sequence)
    {
        var thread = Thread;
        _submitted.Enqueue(sequence);
        thread.Wake();
        return sequence.Output.Reader;
    }

    /// <summary>
    /// Queues first a sequence whose KV was imported into its request's reservation, with the reservation's blocks, once
    /// <paramref name="adopt"/> has taken what the imported KV carries (it returns why the KV does not fit the sequence,
    /// or null). When the KV never came or does not fit, the stream fails and the reserved blocks are freed.
    /// </summary>
    public ChannelReader<GeneratedToken> SubmitIntoReservation(TSequence sequence, Func<TLease, string?> adopt)
    {
        Thread.Post(() => AdmitIntoReservation(sequence, adopt));
        return sequence.Output.Reader;
    }

    /// <summary>Stops the request wherever it is and frees its blocks and leases; its stream ends with <see cref="FinishReason.Abort"/>.</summary>
    public void Abort(long requestId)
    {
        _aborts.Enqueue(requestId);
        _thread?.Wake();
    }

    /// <summary>
    /// Applies submissions, aborts and expired leases, chooses this step's slices (sequence, first token, token count)
    /// and has <paramref name="execute"/> compute them and <see cref="Append"/> the tokens it samples; false when there
    /// was nothing to compute.
    /// </summary>
    public bool RunStep(Action<List<(TSequence Sequence, int Start, int Count)>> execute)
    {
        if (DrainCommands() | Leases.Expire())
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
            var stage = slices.Any(s => s.Start < s.Sequence.PromptLength) ? EngineStage.Prefill : EngineStage.Decode;
            execute(slices);
            _steps++;
            _metrics?.RecordStep(stage, Stopwatch.GetElapsedTime(started), slices.Count);
        }

        _stats = Snapshot();
        return slices.Count > 0;
    }

    /// <summary>Ends every sequence (running, waiting or suspended) with <see cref="FinishReason.Abort"/>.</summary>
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

    /// <summary>
    /// Adds a sampled token: a stop token (<paramref name="stop"/>) or the length limit finishes the sequence, a
    /// prefill-only sequence parks its blocks after its first token, any other token is streamed.
    /// </summary>
    public void Append(TSequence sequence, int token, bool stop)
    {
        sequence.Add(token);
        _generatedTokens++;
        if (stop)
        {
            Finish(sequence, FinishReason.Stop, token);
        }
        else if (sequence.Generated >= sequence.Request.Sampling.MaxTokens || sequence.Length >= MaxModelLength)
        {
            Finish(sequence, FinishReason.Length, token);
        }
        else if (sequence.Request.PrefillOnly)
        {
            Park(sequence, token);
        }
        else
        {
            sequence.Output.Writer.TryWrite(new GeneratedToken(token, sequence.Generated - 1, null));
        }
    }

    /// <summary>
    /// Reserves blocks for <paramref name="tokens"/> tokens (capped at the context) of a request prefilled elsewhere,
    /// under a lease; returns the block count. Fails when the pool cannot spare them.
    /// </summary>
    public int Reserve(long requestId, int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        var count = BlocksFor(Math.Min(tokens, MaxModelLength));
        Leases.Reserve(requestId, count, tokens);
        _stats = Snapshot();
        return count;
    }

    /// <summary>Frees a parked request's blocks; false when it has none.</summary>
    public bool ReleaseParked(long requestId)
    {
        var released = Leases.ReleaseParked(requestId);
        _stats = Snapshot();
        return released;
    }

    /// <summary>
    /// Takes a decoding sequence out of the batch between two steps: its blocks stay held (every token but the last
    /// generated one has its K/V in them) and its stream stays open. Null when the request is not decoding here
    /// (unknown, finished, prefill-only, or still prefilling its prompt).
    /// </summary>
    public TSequence? Suspend(long requestId)
    {
        var sequence = _running.FirstOrDefault(s => s.Id == requestId) ?? _waiting.FirstOrDefault(s => s.Id == requestId);
        if (sequence is null || sequence.Finished || sequence.Request.PrefillOnly || sequence.Generated < 1 || sequence.Computed != sequence.Length - 1)
        {
            return null;
        }

        _running.Remove(sequence);
        _waiting.Remove(sequence);
        _suspended[requestId] = sequence;
        _stats = Snapshot();
        return sequence;
    }

    /// <summary>Ends a suspended sequence here because it continues elsewhere: frees its blocks and completes its stream without a finish token.</summary>
    public bool ReleaseSuspended(long requestId)
    {
        if (!_suspended.Remove(requestId, out var sequence))
        {
            return false;
        }

        sequence.Finished = true;
        sequence.Output.Writer.TryComplete();
        Allocator.Free(sequence.Blocks);
        sequence.Blocks.Clear();
        sequence.Dispose();
        _stats = Snapshot();
        return true;
    }

    /// <summary>Puts a suspended sequence back at the head of the waiting queue: it continues as if never paused.</summary>
    public bool ResumeSuspended(long requestId)
    {
        if (!_suspended.Remove(requestId, out var sequence))
        {
            return false;
        }

        _waiting.AddFirst(sequence);
        _stats = Snapshot();
        return true;
    }

    /// <summary>Takes a new snapshot of the load, after a change made outside the other operations.</summary>
    public void RefreshStats() => _stats = Snapshot();

    private void AdmitIntoReservation(TSequence sequence, Func<TLease, string?> adopt)
    {
        var lease = Leases.TakeReserved(sequence.Id);
        var failure = lease is not { Imported: true }
            ? $"The KV cache of request {sequence.Id} never arrived on this worker (no reservation, or its {_limits.KvLease.TotalSeconds:0} s lease expired)."
            : adopt(lease);
        if (failure is not null)
        {
            if (lease is not null)
            {
                Allocator.Free(lease.Blocks);
            }

            sequence.Output.Writer.TryComplete(new InvalidOperationException(failure));
        }
        else
        {
            sequence.Blocks.AddRange(lease!.Blocks);
            _waiting.AddFirst(sequence);
        }

        _stats = Snapshot();
    }

    /// <summary>Moves submissions into the waiting queue and applies aborts; true if anything changed.</summary>
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

            Leases.ReleaseReserved(id);
            Leases.ReleaseParked(id);
        }

        return changed;
    }

    /// <summary>Chooses this step's work: running sequences first (decode tokens, unfinished prompt chunks), then admissions.</summary>
    private List<(TSequence Sequence, int Start, int Count)> ScheduleStep()
    {
        var slices = new List<(TSequence, int, int)>();
        var budget = _limits.MaxBatchTokens;
        foreach (var sequence in _running.ToList())
        {
            if (sequence.Finished || !_running.Contains(sequence) || budget == 0)
            {
                continue;
            }

            var count = Math.Min(sequence.Length - sequence.Computed, budget);
            while (!TryGrow(sequence, sequence.Computed + count, keepWatermark: false))
            {
                var victim = _running.LastOrDefault(s => s.Recomputable);
                if (victim is null)
                {
                    // Only sequences prefilled elsewhere are running and none can give way: this one cannot grow.
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

        while (budget > 0 && _running.Count < _limits.MaxBatchSize && _waiting.First is { } node)
        {
            var sequence = node.Value;
            var count = Math.Min(sequence.Length - sequence.Computed, budget);
            if (!TryGrow(sequence, sequence.Computed + count, keepWatermark: true))
            {
                break;
            }

            _waiting.RemoveFirst();
            sequence.Materialize();
            _running.Add(sequence);
            slices.Add((sequence, sequence.Computed, count));
            budget -= count;
        }

        return slices;
    }

    /// <summary>Grows the sequence's block table to cover <paramref name="tokens"/> tokens (fewer slots after eviction), if the pool allows.</summary>
    private bool TryGrow(TSequence sequence, int tokens, bool keepWatermark)
    {
        var needed = BlocksFor(tokens - sequence.PositionOffset) - sequence.Blocks.Count;
        if (needed <= 0)
        {
            return true;
        }

        if (!Allocator.CanAllocate(needed, keepWatermark))
        {
            return false;
        }

        sequence.Blocks.AddRange(Allocator.Allocate(needed));
        return true;
    }

    /// <summary>Frees a running sequence's blocks and queues it first, to be recomputed from its tokens.</summary>
    private void Preempt(TSequence sequence)
    {
        Allocator.Free(sequence.Blocks);
        sequence.Blocks.Clear();
        sequence.Computed = 0;
        _running.Remove(sequence);
        _waiting.AddFirst(sequence);
        _preemptions++;
        _metrics?.RecordPreemption();
    }

    private void Finish(TSequence sequence, FinishReason reason, int token)
    {
        if (sequence.Finished)
        {
            return;
        }

        sequence.Finished = true;
        var index = token >= 0 ? sequence.Generated - 1 : sequence.Generated;
        sequence.Output.Writer.TryWrite(new GeneratedToken(token, index, reason));
        sequence.Output.Writer.TryComplete();
        Allocator.Free(sequence.Blocks);
        sequence.Blocks.Clear();
        _running.Remove(sequence);
        _waiting.Remove(sequence);
        sequence.Dispose();
    }

    /// <summary>
    /// Keeps a prefill-only sequence's blocks for export under a lease and ends its stream after its first token. The
    /// lease (and its gauge) exists before the token is written: whoever reads the token may at once export or count it.
    /// </summary>
    private void Park(TSequence sequence, int token)
    {
        sequence.Finished = true;
        Leases.Park(sequence.Id, _parkedLease(sequence, [.. sequence.Blocks], Leases.Deadline()));
        sequence.Output.Writer.TryWrite(new GeneratedToken(token, 0, null));
        sequence.Output.Writer.TryComplete();
        sequence.Blocks.Clear();
        _running.Remove(sequence);
        sequence.Dispose();
    }

    private LlmEngineStats Snapshot() => new(
        _running.Count,
        _waiting.Count,
        Allocator.FreeBlocks,
        Allocator.TotalBlocks,
        _waiting.Sum(s => (long)(s.Length - s.Computed)) + _running.Sum(s => (long)Math.Max(0, s.PromptLength - s.Computed)),
        _generatedTokens,
        _steps,
        _preemptions,
        Leases.ReservedCount,
        Leases.ParkedCount,
        _suspended.Count);
}
