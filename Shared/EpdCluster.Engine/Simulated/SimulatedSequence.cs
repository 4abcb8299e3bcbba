using System.Threading.Channels;
using EpdCluster.Engine.Serving;

namespace EpdCluster.Engine.Simulated;

/// <summary>One request inside the simulated engine: token counts and block ids instead of tensors. Inference thread only.</summary>
internal sealed class SimulatedSequence
{
    public SimulatedSequence(GenerationRequest request, ulong contentDigest, IReadOnlyList<int>? generated = null, bool recomputable = true)
    {
        Request = request;
        PromptLength = request.PromptIds.Length;
        ContentDigest = contentDigest;
        PromptDigest = SimulatedTokens.PromptDigest(request.PromptIds);
        Generated = [.. generated ?? []];
        Recomputable = recomputable;
        Output = Channel.CreateUnbounded<GeneratedToken>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    }

    public GenerationRequest Request { get; }

    public long Id => Request.RequestId;

    public int PromptLength { get; }

    /// <summary>Seeds the tokens: the prompt and its images, as the KV computed from them would.</summary>
    public ulong ContentDigest { get; set; }

    public ulong PromptDigest { get; }

    public List<int> Generated { get; }

    /// <summary>Prompt plus generated tokens.</summary>
    public int Length => PromptLength + Generated.Count;

    /// <summary>Tokens whose (simulated) K/V are in the cache.</summary>
    public int Computed { get; set; }

    /// <summary>False when the prompt was prefilled elsewhere: it cannot be recomputed here, so it is never preempted.</summary>
    public bool Recomputable { get; }

    public List<int> Blocks { get; } = [];

    public bool Finished { get; set; }

    public Channel<GeneratedToken> Output { get; }
}
