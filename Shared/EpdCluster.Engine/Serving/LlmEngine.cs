using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using EpdCluster.Engine.Kv;
using EpdCluster.Engine.Model;
using EpdCluster.Engine.Telemetry;
using static TorchSharp.torch;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// The language model with continuous (iteration-level) batching over a paged KV cache. Every step packs the
/// next token of each running sequence and prompt chunks of newly admitted ones, under a token budget; a
/// sequence joins or leaves the batch at any step. When blocks run out, the newest running sequence is
/// preempted and later recomputed from its tokens (no tokens are lost).
/// </summary>
public sealed class LlmEngine : ILlmEngine, IInferenceStage, IDisposable
{
    private readonly MultimodalModel _model;
    private readonly EngineOptions _options;
    private readonly VocabularyRules _vocabulary;
    private readonly PagedKvCache _cache;
    private readonly KvBlockAllocator _allocator;
    private readonly TokenSampler _sampler;
    private readonly ConcurrentQueue<Sequence> _submitted = new();
    private readonly ConcurrentQueue<long> _aborts = new();
    private readonly LinkedList<Sequence> _waiting = new();
    private readonly List<Sequence> _running = [];
    private readonly HashSet<int> _stopTokens;
    private readonly Dictionary<long, KvLease> _reserved = [];
    private readonly Dictionary<long, KvLease> _parked = [];
    private readonly EngineMetrics? _metrics;
    private readonly Dictionary<long, Sequence> _suspended = [];
    private InferenceThread? _thread;
    private long _generatedTokens;
    private long _steps;
    private long _preemptions;
    private volatile LlmEngineStats _stats;

    public LlmEngine(MultimodalModel model, EngineOptions options, VocabularyRules vocabulary, EngineMetrics? metrics = null)
    {
        options.Validate();
        _metrics = metrics;
        _model = model;
        _options = options;
        _vocabulary = vocabulary;
        var blockBytes = PagedKvCache.BlockBytes(model.Config.Text, options.BlockSize);
        var totalBlocks = (int)Math.Min(int.MaxValue, options.KvCacheBytes / blockBytes);
        if (totalBlocks < 1)
        {
            throw new InvalidOperationException($"{EngineOptions.SectionName}:KvCacheBytes ({options.KvCacheBytes}) holds no KV block of {blockBytes} bytes.");
        }

        _cache = new PagedKvCache(model.Config.Text, totalBlocks, options.BlockSize);
        _allocator = new KvBlockAllocator(totalBlocks, (int)(totalBlocks * options.WatermarkFraction));
        _sampler = new TokenSampler(model.Config.Text.VocabSize, vocabulary);
        _stopTokens = [.. vocabulary.StopTokenIds];
        _stats = Snapshot();
    }

    /// <summary>Longest sequence (prompt + generated) the model can hold.</summary>
    public int MaxModelLength => _model.Config.Text.MaxPositionEmbeddings;

    public int BlockSize => _options.BlockSize;

    public LlmEngineStats Stats => _stats;

    /// <summary>Bytes of one exported KV block.</summary>
    public int BytesPerBlock => _cache.BytesPerBlock;

    /// <summary>The shape of exported KV blocks.</summary>
    public KvLayout KvLayout => _cache.Layout;

    internal void Attach(InferenceThread thread) => _thread = thread;

    /// <summary>
    /// Queues a request and returns its token stream. Throws <see cref="ArgumentException"/> for a request the
    /// engine can never serve (bad ids, image rows that do not fit, a prompt longer than the context or the cache).
    /// </summary>
    public ChannelReader<GeneratedToken> Submit(GenerationRequest request)
    {
        Validate(request);
        var thread = _thread ?? throw new InvalidOperationException("The engine is not attached to an inference thread.");
        var sequence = new Sequence(request, _model.Config.Text.HiddenSize);
        _submitted.Enqueue(sequence);
        thread.Wake();
        return sequence.Output.Reader;
    }

    /// <summary>Stops request <paramref name="requestId"/> wherever it is and frees its blocks; its stream ends with <see cref="FinishReason.Abort"/>.</summary>
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
            Execute(slices);
            _steps++;
            var stage = slices.Any(s => s.Start < s.Sequence.PromptLength) ? EngineStage.Prefill : EngineStage.Decode;
            _metrics?.RecordStep(stage, Stopwatch.GetElapsedTime(started), slices.Count);
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

    private void Validate(GenerationRequest request) =>
        GenerationRequestRules.Validate(request, _model.Config.Text, BlockSize, _allocator.TotalBlocks - _allocator.WatermarkBlocks);

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

            ReleaseLease(_reserved, id);
            ReleaseLease(_parked, id);
        }

        return changed;
    }

    /// <summary>Chooses this step's work: running sequences first (decode tokens, unfinished prompt chunks), then admissions.</summary>
    private List<(Sequence Sequence, int Start, int Count)> ScheduleStep()
    {
        var slices = new List<(Sequence, int, int)>();
        var budget = _options.MaxBatchTokens;
        foreach (var sequence in _running.ToList())
        {
            if (sequence.Finished || !_running.Contains(sequence) || budget == 0)
            {
                continue;
            }

            var count = Math.Min(sequence.Tokens.Count - sequence.Computed, budget);
            while (!TryReserve(sequence, sequence.Computed + count, keepWatermark: false))
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

        while (budget > 0 && _running.Count < _options.MaxBatchSize && _waiting.First is { } node)
        {
            var sequence = node.Value;
            var count = Math.Min(sequence.Tokens.Count - sequence.Computed, budget);
            if (!TryReserve(sequence, sequence.Computed + count, keepWatermark: true))
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
    private bool TryReserve(Sequence sequence, int tokens, bool keepWatermark)
    {
        var needed = ((tokens - sequence.PositionOffset + BlockSize - 1) / BlockSize) - sequence.Blocks.Count;
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

    private void Preempt(Sequence sequence)
    {
        _allocator.Free(sequence.Blocks);
        sequence.Blocks.Clear();
        sequence.Computed = 0;
        _running.Remove(sequence);
        _waiting.AddFirst(sequence);
        _preemptions++;
        _metrics?.RecordPreemption();
    }

    private void Execute(List<(Sequence Sequence, int Start, int Count)> slices)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var ids = new long[slices.Sum(s => s.Count)];
        var imageTargets = new List<long>();
        var imageSources = new List<Tensor>();
        var probeRows = new List<long>();
        var probeTargets = new List<(Sequence Sequence, int Probe)>();
        var row = 0;
        foreach (var (sequence, start, count) in slices)
        {
            if (sequence.ProbePositions is { } probes)
            {
                for (var j = 0; j < probes.Length; j++)
                {
                    if (probes[j] >= start && probes[j] < start + count)
                    {
                        probeRows.Add(row + probes[j] - start);
                        probeTargets.Add((sequence, j));
                    }
                }
            }

            var imageRows = new List<long>();
            for (var i = 0; i < count; i++)
            {
                ids[row + i] = sequence.Tokens[start + i];
                var imageRow = start + i < sequence.PromptLength ? sequence.ImageRowAt(start + i) : -1;
                if (imageRow >= 0)
                {
                    imageTargets.Add(row + i);
                    imageRows.Add(imageRow);
                }
            }

            if (imageRows.Count > 0)
            {
                imageSources.Add(sequence.ImageRows!.index_select(0, tensor(imageRows.ToArray(), int64)));
            }

            row += count;
        }

        var embeddings = imageTargets.Count == 0
            ? _model.EmbedPrompt(tensor(ids, int64), null, null)
            : _model.EmbedPrompt(tensor(ids, int64), tensor(imageTargets.ToArray(), int64), cat(imageSources, 0));
        var layout = PagedBatchLayout.Build(slices.Select(s => new SequenceSlice(s.Start - s.Sequence.PositionOffset, s.Count, s.Sequence.Blocks, s.Sequence.PositionOffset)).ToList(), BlockSize);
        var hidden = _model.ForwardPaged(embeddings, layout, _cache, probeRows.Count == 0 ? null : CaptureProbes(probeRows, probeTargets));

        var sampling = new List<(Sequence Sequence, long Row)>();
        row = 0;
        foreach (var (sequence, start, count) in slices)
        {
            sequence.Computed = start + count;
            if (sequence.Computed == sequence.Tokens.Count)
            {
                sampling.Add((sequence, row + count - 1));
            }

            row += count;
        }

        if (sampling.Count == 0)
        {
            return;
        }

        var logits = _model.Logits(hidden.index_select(0, tensor(sampling.Select(s => s.Row).ToArray(), int64)));
        var tokens = _sampler.Sample(logits, sampling.Select(s => s.Sequence.Request.Sampling).ToList(), sampling.Select(s => s.Sequence.GeneratorForNextToken()).ToList());
        for (var i = 0; i < tokens.Length; i++)
        {
            Append(sampling[i].Sequence, tokens[i]);
        }
    }

    /// <summary>Copies each layer's queries of the probe rows into their sequences (saliency for the KV export).</summary>
    private Action<int, Tensor> CaptureProbes(List<long> rows, List<(Sequence Sequence, int Probe)> targets)
    {
        var index = tensor(rows.ToArray(), int64);
        var text = _model.Config.Text;
        var width = text.NumAttentionHeads * text.HeadDim;
        return (layer, queries) =>
        {
            var captured = queries.index_select(0, index).contiguous().data<float>().ToArray();
            for (var i = 0; i < targets.Count; i++)
            {
                var (sequence, probe) = targets[i];
                sequence.ProbeQueries ??= new float[text.NumHiddenLayers][];
                var stored = sequence.ProbeQueries[layer] ??= new float[sequence.ProbePositions!.Length * width];
                Array.Copy(captured, i * width, stored, probe * width, width);
            }
        };
    }

    private void Append(Sequence sequence, int token)
    {
        sequence.Tokens.Add(token);
        _generatedTokens++;
        var sampling = sequence.Request.Sampling;
        FinishReason? finish = null;
        if (!sampling.IgnoreStopTokens && (_stopTokens.Contains(token) || sampling.StopTokenIds.Contains(token)))
        {
            finish = FinishReason.Stop;
        }
        else if (sequence.Generated >= sampling.MaxTokens || sequence.Tokens.Count >= MaxModelLength)
        {
            finish = FinishReason.Length;
        }

        if (finish is { } reason)
        {
            Finish(sequence, reason, token);
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

    private void Finish(Sequence sequence, FinishReason reason, int token)
    {
        if (sequence.Finished)
        {
            return;
        }

        sequence.Finished = true;
        var index = token >= 0 ? sequence.Generated - 1 : sequence.Generated;
        sequence.Output.Writer.TryWrite(new GeneratedToken(token, index, reason));
        sequence.Output.Writer.TryComplete();
        _allocator.Free(sequence.Blocks);
        sequence.Blocks.Clear();
        _running.Remove(sequence);
        _waiting.Remove(sequence);
        sequence.Dispose();
    }

    /// <summary>
    /// Reserves blocks for a prompt prefilled on another worker, covering <paramref name="tokens"/> tokens (prompt,
    /// first token and the most it may generate), under a lease. Fails when the pool cannot spare them.
    /// </summary>
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

        _reserved[requestId] = new KvLease(_allocator.Allocate(count), LeaseDeadline(), tokens);
        _metrics?.RecordReservation(granted: true);
        _metrics?.RecordLeaseTaken(KvLeaseKind.Reserved, count);
        _stats = Snapshot();
        return count;
    });

    /// <summary>Writes transferred KV blocks (BytesPerBlock each, in prompt order) into the request's reserved blocks.</summary>
    public Task ImportAsync(long requestId, ReadOnlyMemory<byte> blockBytes) => Thread.InvokeAsync(() =>
    {
        var lease = _reserved.TryGetValue(requestId, out var l) ? l : throw new InvalidOperationException($"Request {requestId} has no KV reservation here (expired or never made).");
        var count = blockBytes.Length / _cache.BytesPerBlock;
        if (blockBytes.Length % _cache.BytesPerBlock != 0 || count > lease.Blocks.Length)
        {
            throw new ArgumentException($"{blockBytes.Length} bytes are not a whole number of KV blocks ({_cache.BytesPerBlock} bytes each) within the {lease.Blocks.Length} reserved.");
        }

        _cache.ImportBlocks(lease.Blocks[..count], blockBytes.Span);
        lease.Imported = true;
        return true;
    });

    /// <summary>
    /// Writes a decoded KV snapshot into the request's reserved blocks. After eviction (fewer slots than tokens) the
    /// sequence continues at the snapshot's positions, and reserved blocks it can no longer fill go back to the pool.
    /// </summary>
    public Task ImportAsync(long requestId, KvSnapshot kv) => Thread.InvokeAsync(() =>
    {
        var lease = _reserved.TryGetValue(requestId, out var l) ? l : throw new InvalidOperationException($"Request {requestId} has no KV reservation here (expired or never made).");
        _cache.Layout.EnsureSame(kv.Layout);
        if (kv.Blocks > lease.Blocks.Length)
        {
            throw new ArgumentException($"{kv.Slots} KV slots need {kv.Blocks} blocks; request {requestId} reserved {lease.Blocks.Length}.");
        }

        _cache.ImportBlocks(lease.Blocks[..kv.Blocks], MemoryMarshal.AsBytes(kv.Data.AsSpan()));
        var needed = Math.Max(kv.Blocks, (Math.Min(lease.Tokens, MaxModelLength) - kv.PositionOffset + BlockSize - 1) / BlockSize);
        if (needed < lease.Blocks.Length)
        {
            _allocator.Free(lease.Blocks[needed..]);
            _metrics?.RecordLeaseReleased(KvLeaseKind.Reserved, lease.Blocks.Length - needed, expired: false);
            lease = lease with { Blocks = lease.Blocks[..needed] };
            _reserved[requestId] = lease;
        }

        lease.Imported = true;
        lease.ImportedTokens = kv.Tokens;
        lease.PositionOffset = kv.PositionOffset;
        _stats = Snapshot();
        return true;
    });

    /// <summary>
    /// Continues a request prefilled elsewhere: its KV is in its reservation (see <see cref="ImportAsync"/>) and its
    /// first token is <paramref name="firstToken"/>. The stream yields the tokens after it (indices from 1).
    /// </summary>
    public ChannelReader<GeneratedToken> SubmitPrefilled(GenerationRequest request, int firstToken)
    {
        Validate(request);
        var sequence = new Sequence(request, _model.Config.Text.HiddenSize, firstToken);
        Thread.Post(() =>
        {
            var reserved = _reserved.Remove(request.RequestId, out var lease);
            if (lease is not null)
            {
                _metrics?.RecordLeaseReleased(KvLeaseKind.Reserved, lease.Blocks.Length, expired: false);
            }

            if (!reserved || !lease!.Imported)
            {
                if (lease is not null)
                {
                    _allocator.Free(lease.Blocks);
                }

                sequence.Output.Writer.TryComplete(new InvalidOperationException($"The KV cache of request {request.RequestId} never arrived on this worker (no reservation, or its {_options.KvLease.TotalSeconds:0} s lease expired)."));
                return;
            }

            if (lease.ImportedTokens is { } covered && covered != sequence.PromptLength)
            {
                _allocator.Free(lease.Blocks);
                sequence.Output.Writer.TryComplete(new InvalidOperationException($"The KV cache of request {request.RequestId} covers {covered} tokens, but its prompt has {sequence.PromptLength}."));
                return;
            }

            sequence.PositionOffset = lease.PositionOffset;
            sequence.Blocks.AddRange(lease.Blocks);
            _waiting.AddFirst(sequence);
        });
        return sequence.Output.Reader;
    }

    /// <summary>Copies a parked request's KV blocks (prompt order) for transfer; the blocks stay parked until released.</summary>
    public Task<byte[]> ExportParkedAsync(long requestId) => Thread.InvokeAsync(() =>
    {
        var lease = _parked.TryGetValue(requestId, out var l) ? l : throw new InvalidOperationException($"Request {requestId} has no parked KV blocks here (expired or released).");
        var count = (lease.Tokens + BlockSize - 1) / BlockSize;
        var bytes = new byte[count * _cache.BytesPerBlock];
        _cache.ExportBlocks(lease.Blocks[..count], bytes);
        return bytes;
    });

    /// <summary>
    /// Copies a parked request's KV (prompt order) for encoding; with <paramref name="withSaliency"/>, scores every
    /// token by the attention its probe queries gave it (the request must have been submitted with
    /// <see cref="GenerationRequest.KvProbes"/>). The blocks stay parked until released.
    /// </summary>
    public Task<KvSnapshot> ExportParkedKvAsync(long requestId, bool withSaliency) => Thread.InvokeAsync(() =>
    {
        var lease = _parked.TryGetValue(requestId, out var l) ? l : throw new InvalidOperationException($"Request {requestId} has no parked KV blocks here (expired or released).");
        var layout = _cache.Layout;
        var blocks = lease.Blocks[..layout.BlocksFor(lease.Tokens)];
        var data = new float[blocks.Length * layout.FloatsPerBlock];
        _cache.ExportBlocks(blocks, MemoryMarshal.AsBytes(data.AsSpan()));
        KvSaliency? saliency = null;
        if (withSaliency)
        {
            if (lease.ProbePositions is not { } positions || lease.ProbeQueries is not { } queries || queries.Any(q => q is null))
            {
                throw new InvalidOperationException($"Request {requestId} was prefilled without saliency probes (GenerationRequest.KvProbes).");
            }

            saliency = KvSaliencyEstimator.Estimate(_cache, blocks, lease.Tokens, positions, queries, _model.Config.Text.NumAttentionHeads);
        }

        return new KvSnapshot(layout, lease.Tokens, lease.Tokens, data) { Saliency = saliency, ImageTokens = lease.ImageTokens };
    });

    /// <summary>Frees a parked request's blocks once its decode worker has them (or will never get them).</summary>
    public Task<bool> ReleaseParkedAsync(long requestId) => Thread.InvokeAsync(() =>
    {
        var released = ReleaseLease(_parked, requestId);
        _stats = Snapshot();
        return released;
    });

    /// <summary>
    /// Takes a decoding sequence out of the batch between two steps, to move it to another worker: its blocks stay
    /// held here and are copied (every token but the last generated one has its K/V in them), its stream stays open.
    /// Null when the request is not decoding here (unknown, finished, prefill-only, or still prefilling its prompt).
    /// Follow with <see cref="ReleaseSuspendedAsync"/> once it continues elsewhere, or <see cref="ResumeSuspendedAsync"/>.
    /// </summary>
    public Task<SuspendedSequence?> SuspendAsync(long requestId) => Thread.InvokeAsync(() =>
    {
        var sequence = _running.FirstOrDefault(s => s.Id == requestId) ?? _waiting.FirstOrDefault(s => s.Id == requestId);
        if (sequence is null || sequence.Finished || sequence.Request.PrefillOnly || sequence.Generated < 1 || sequence.Computed != sequence.Tokens.Count - 1)
        {
            return null;
        }

        _running.Remove(sequence);
        _waiting.Remove(sequence);
        _suspended[requestId] = sequence;
        var count = (sequence.Computed + BlockSize - 1) / BlockSize;
        var bytes = new byte[count * _cache.BytesPerBlock];
        _cache.ExportBlocks(sequence.Blocks[..count], bytes);
        _stats = Snapshot();
        return new SuspendedSequence(requestId, [.. sequence.Tokens.Skip(sequence.PromptLength)], bytes);
    });

    /// <summary>Ends a suspended sequence here because it continues on another worker: frees its blocks and completes its stream without a finish token.</summary>
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
        sequence.Dispose();
        _stats = Snapshot();
        return true;
    });

    /// <summary>Puts a suspended sequence back into the batch (its move failed): it continues here as if never paused.</summary>
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

    /// <summary>
    /// Continues a sequence that was decoding on another worker: its KV (see <see cref="SuspendAsync"/>) is in this
    /// request's reservation (<see cref="ImportAsync"/>) and it has generated <paramref name="generatedTokens"/> so
    /// far. The stream yields the tokens after them, their indices continuing from there.
    /// </summary>
    public ChannelReader<GeneratedToken> SubmitMigrated(GenerationRequest request, IReadOnlyList<int> generatedTokens)
    {
        Validate(request);
        ArgumentOutOfRangeException.ThrowIfZero(generatedTokens.Count);
        var sequence = new Sequence(request, _model.Config.Text.HiddenSize, generatedTokens);
        Thread.Post(() => AdmitIntoReservation(sequence));
        return sequence.Output.Reader;
    }

    /// <summary>Gives a sequence whose KV was imported the blocks of its reservation and queues it first; fails its stream when the KV never came.</summary>
    private void AdmitIntoReservation(Sequence sequence)
    {
        var reserved = _reserved.Remove(sequence.Id, out var lease);
        if (lease is not null)
        {
            _metrics?.RecordLeaseReleased(KvLeaseKind.Reserved, lease.Blocks.Length, expired: false);
        }

        if (!reserved || !lease!.Imported)
        {
            if (lease is not null)
            {
                _allocator.Free(lease.Blocks);
            }

            sequence.Output.Writer.TryComplete(new InvalidOperationException($"The KV cache of request {sequence.Id} never arrived on this worker (no reservation, or its {_options.KvLease.TotalSeconds:0} s lease expired)."));
            return;
        }

        sequence.Blocks.AddRange(lease.Blocks);
        _waiting.AddFirst(sequence);
    }

    private InferenceThread Thread => _thread ?? throw new InvalidOperationException("The engine is not attached to an inference thread.");

    private long LeaseDeadline() => System.Diagnostics.Stopwatch.GetTimestamp() + (long)(_options.KvLease.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    /// <summary>Keeps a prefill-only sequence's blocks for export and ends its stream after its first token.</summary>
    private void Park(Sequence sequence, int token)
    {
        sequence.Finished = true;
        sequence.Output.Writer.TryWrite(new GeneratedToken(token, 0, null));
        sequence.Output.Writer.TryComplete();
        _parked[sequence.Id] = new KvLease([.. sequence.Blocks], LeaseDeadline(), sequence.PromptLength)
        {
            ProbePositions = sequence.ProbePositions,
            ProbeQueries = sequence.ProbeQueries,
            ImageTokens = sequence.ImageTokenFlags(),
        };
        _metrics?.RecordLeaseTaken(KvLeaseKind.Parked, sequence.Blocks.Count);
        sequence.Blocks.Clear();
        _running.Remove(sequence);
        sequence.Dispose();
    }

    private bool ReleaseLease(Dictionary<long, KvLease> leases, long requestId, bool expired = false)
    {
        if (!leases.Remove(requestId, out var lease))
        {
            return false;
        }

        _allocator.Free(lease.Blocks);
        _metrics?.RecordLeaseReleased(ReferenceEquals(leases, _reserved) ? KvLeaseKind.Reserved : KvLeaseKind.Parked, lease.Blocks.Length, expired);
        return true;
    }

    /// <summary>Frees reservations whose transfer never came and parked blocks nobody fetched: no stranded memory.</summary>
    private bool ExpireLeases()
    {
        if (_reserved.Count == 0 && _parked.Count == 0)
        {
            return false;
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
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

    private LlmEngineStats Snapshot() => new(
        _running.Count,
        _waiting.Count,
        _allocator.FreeBlocks,
        _allocator.TotalBlocks,
        _waiting.Sum(s => (long)(s.Tokens.Count - s.Computed)) + _running.Sum(s => (long)Math.Max(0, s.PromptLength - s.Computed)),
        _generatedTokens,
        _steps,
        _preemptions,
        _reserved.Count,
        _parked.Count,
        _suspended.Count);

    public void Dispose()
    {
        _cache.Dispose();
        _sampler.Dispose();
    }
}
