using System.Threading.Channels;

namespace EpdCluster.Engine.Serving;

/// <summary>
/// What <see cref="SequenceBook{TSequence, TLease}"/> keeps of one request inside an engine: its place in the prompt
/// and generated tokens, its KV blocks and its token stream. Touched only on the inference thread.
/// </summary>
internal abstract class BatchedSequence : IDisposable
{
    protected BatchedSequence(GenerationRequest request, bool recomputable)
    {
        Request = request;
        PromptLength = request.PromptIds.Length;
        Recomputable = recomputable;
        Output = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    }

    public GenerationRequest Request { get; }

    public long Id => Request.RequestId;

    public int PromptLength { get; }

    /// <summary>Prompt plus generated tokens.</summary>
    public abstract int Length { get; }

    public int Generated => Length - PromptLength;

    /// <summary>False for sequences prefilled elsewhere: their prompt cannot be recomputed on this worker, so they are never preempted.</summary>
    public bool Recomputable { get; }

    /// <summary>Tokens whose K/V are in the cache.</summary>
    public int Computed { get; set; }

    /// <summary>How far positions run ahead of cache slots: prompt tokens evicted before the KV arrived here (0 without eviction).</summary>
    public int PositionOffset { get; set; }

    public List<int> Blocks { get; } = [];

    public bool Finished { get; set; }

    public Channel<GeneratedToken> Output { get; }

    /// <summary>Adds a generated token.</summary>
    public abstract void Add(int token);

    /// <summary>Prepares the sequence to join the running batch; called on the inference thread at admission.</summary>
    public virtual void Materialize()
    {
    }

    /// <summary>Frees what the sequence holds beyond its blocks, once it has left the batch.</summary>
    public virtual void Dispose()
    {
    }
}
