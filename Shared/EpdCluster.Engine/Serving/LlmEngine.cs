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
    private readonly PagedKvCache _cache;
    private readonly TokenSampler _sampler;
    private readonly HashSet<int> _stopTokens;
    private readonly SequenceBook<Sequence, KvLease> _book;

    public LlmEngine(MultimodalModel model, EngineOptions options, VocabularyRules vocabulary, EngineMetrics? metrics = null)
    {
        options.Validate();
        _model = model;
        var blockBytes = PagedKvCache.BlockBytes(model.Config.Text, options.BlockSize);
        var totalBlocks = (int)Math.Min(int.MaxValue, options.KvCacheBytes / blockBytes);
        if (totalBlocks < 1)
        {
            throw new InvalidOperationException($"{EngineOptions.SectionName}:KvCacheBytes ({options.KvCacheBytes}) holds no KV block of {blockBytes} bytes.");
        }

        _cache = new PagedKvCache(model.Config.Text, totalBlocks, options.BlockSize);
        _sampler = new TokenSampler(model.Config.Text.VocabSize, vocabulary);
        _stopTokens = [.. vocabulary.StopTokenIds];
        _book = new SequenceBook<Sequence, KvLease>(
            model.Config.Text,
            new BatchLimits(options.BlockSize, totalBlocks, options.WatermarkFraction, options.MaxBatchSize, options.MaxBatchTokens, options.KvLease),
            metrics,
            (blocks, deadline, tokens) => new KvLease(blocks, deadline, tokens),
            (sequence, blocks, deadline) => new KvLease(blocks, deadline, sequence.PromptLength)
            {
                ProbePositions = sequence.ProbePositions,
                ProbeQueries = sequence.ProbeQueries,
                ImageTokens = sequence.ImageTokenFlags(),
            });
    }

    /// <summary>Longest sequence (prompt + generated) the model can hold.</summary>
    public int MaxModelLength => _book.MaxModelLength;

    public int BlockSize => _book.BlockSize;

    public LlmEngineStats Stats => _book.Stats;

    /// <summary>Bytes of one exported KV block.</summary>
    public int BytesPerBlock => _cache.BytesPerBlock;

    /// <summary>The shape of exported KV blocks.</summary>
    public KvLayout KvLayout => _cache.Layout;

    internal void Attach(InferenceThread thread) => _book.Attach(thread);

    /// <summary>
    /// Queues a request and returns its token stream. Throws <see cref="ArgumentException"/> for a request the
    /// engine can never serve (bad ids, image rows that do not fit, a prompt longer than the context or the cache).
    /// </summary>
    public ChannelReader<GeneratedToken> Submit(GenerationRequest request)
    {
        _book.Validate(request);
        return _book.Submit(new Sequence(request, _model.Config.Text.HiddenSize));
    }

    /// <summary>Stops request <paramref name="requestId"/> wherever it is and frees its blocks; its stream ends with <see cref="FinishReason.Abort"/>.</summary>
    public void Abort(long requestId) => _book.Abort(requestId);

    public bool RunStep() => _book.RunStep(Execute);

    public void Shutdown() => _book.Shutdown();

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
            var (sequence, token) = (sampling[i].Sequence, tokens[i]);
            var rules = sequence.Request.Sampling;
            _book.Append(sequence, token, stop: !rules.IgnoreStopTokens && (_stopTokens.Contains(token) || rules.StopTokenIds.Contains(token)));
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

    /// <summary>
    /// Reserves blocks for a prompt prefilled on another worker, covering <paramref name="tokens"/> tokens (prompt,
    /// first token and the most it may generate), under a lease. Fails when the pool cannot spare them.
    /// </summary>
    public Task<int> ReserveAsync(long requestId, int tokens) => Thread.InvokeAsync(() => _book.Reserve(requestId, tokens));

    /// <summary>Writes transferred KV blocks (BytesPerBlock each, in prompt order) into the request's reserved blocks.</summary>
    public Task ImportAsync(long requestId, ReadOnlyMemory<byte> blockBytes) => Thread.InvokeAsync(() =>
    {
        var lease = _book.Leases.Reserved(requestId);
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
        var lease = _book.Leases.Reserved(requestId);
        _cache.Layout.EnsureSame(kv.Layout);
        if (kv.Blocks > lease.Blocks.Length)
        {
            throw new ArgumentException($"{kv.Slots} KV slots need {kv.Blocks} blocks; request {requestId} reserved {lease.Blocks.Length}.");
        }

        _cache.ImportBlocks(lease.Blocks[..kv.Blocks], MemoryMarshal.AsBytes(kv.Data.AsSpan()));
        var needed = Math.Max(kv.Blocks, _book.BlocksFor(Math.Min(lease.Tokens, MaxModelLength) - kv.PositionOffset));
        if (needed < lease.Blocks.Length)
        {
            _book.Leases.Shrink(lease, needed);
        }

        lease.Imported = true;
        lease.ImportedTokens = kv.Tokens;
        lease.PositionOffset = kv.PositionOffset;
        _book.RefreshStats();
        return true;
    });

    /// <summary>
    /// Continues a request prefilled elsewhere: its KV is in its reservation (see <see cref="ImportAsync"/>) and its
    /// first token is <paramref name="firstToken"/>. The stream yields the tokens after it (indices from 1).
    /// </summary>
    public ChannelReader<GeneratedToken> SubmitPrefilled(GenerationRequest request, int firstToken)
    {
        _book.Validate(request);
        var sequence = new Sequence(request, _model.Config.Text.HiddenSize, firstToken);
        return _book.SubmitIntoReservation(sequence, lease =>
        {
            if (lease.ImportedTokens is { } covered && covered != sequence.PromptLength)
            {
                return $"The KV cache of request {request.RequestId} covers {covered} tokens, but its prompt has {sequence.PromptLength}.";
            }

            sequence.PositionOffset = lease.PositionOffset;
            return null;
        });
    }

    /// <summary>Copies a parked request's KV blocks (prompt order) for transfer; the blocks stay parked until released.</summary>
    public Task<byte[]> ExportParkedAsync(long requestId) => Thread.InvokeAsync(() =>
    {
        var lease = _book.Leases.Parked(requestId);
        var count = _book.BlocksFor(lease.Tokens);
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
        var lease = _book.Leases.Parked(requestId);
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
    public Task<bool> ReleaseParkedAsync(long requestId) => Thread.InvokeAsync(() => _book.ReleaseParked(requestId));

    /// <summary>
    /// Takes a decoding sequence out of the batch between two steps, to move it to another worker: its blocks stay
    /// held here and are copied (every token but the last generated one has its K/V in them), its stream stays open.
    /// Null when the request is not decoding here (unknown, finished, prefill-only, or still prefilling its prompt).
    /// Follow with <see cref="ReleaseSuspendedAsync"/> once it continues elsewhere, or <see cref="ResumeSuspendedAsync"/>.
    /// </summary>
    public Task<SuspendedSequence?> SuspendAsync(long requestId) => Thread.InvokeAsync(() =>
    {
        if (_book.Suspend(requestId) is not { } sequence)
        {
            return null;
        }

        var count = _book.BlocksFor(sequence.Computed);
        var bytes = new byte[count * _cache.BytesPerBlock];
        _cache.ExportBlocks(sequence.Blocks[..count], bytes);
        return new SuspendedSequence(requestId, [.. sequence.Tokens.Skip(sequence.PromptLength)], bytes);
    });

    /// <summary>Ends a suspended sequence here because it continues on another worker: frees its blocks and completes its stream without a finish token.</summary>
    public Task<bool> ReleaseSuspendedAsync(long requestId) => Thread.InvokeAsync(() => _book.ReleaseSuspended(requestId));

    /// <summary>Puts a suspended sequence back into the batch (its move failed): it continues here as if never paused.</summary>
    public Task<bool> ResumeSuspendedAsync(long requestId) => Thread.InvokeAsync(() => _book.ResumeSuspended(requestId));

    /// <summary>
    /// Continues a sequence that was decoding on another worker: its KV (see <see cref="SuspendAsync"/>) is in this
    /// request's reservation (<see cref="ImportAsync"/>) and it has generated <paramref name="generatedTokens"/> so
    /// far. The stream yields the tokens after them, their indices continuing from there.
    /// </summary>
    public ChannelReader<GeneratedToken> SubmitMigrated(GenerationRequest request, IReadOnlyList<int> generatedTokens)
    {
        _book.Validate(request);
        ArgumentOutOfRangeException.ThrowIfZero(generatedTokens.Count);
        return _book.SubmitIntoReservation(new Sequence(request, _model.Config.Text.HiddenSize, generatedTokens), _ => null);
    }

    private InferenceThread Thread => _book.Thread;

    public void Dispose()
    {
        _cache.Dispose();
        _sampler.Dispose();
    }
}
