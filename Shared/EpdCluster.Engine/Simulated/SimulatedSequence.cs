using EpdCluster.Engine.Serving;

namespace EpdCluster.Engine.Simulated;

/// <summary>One request inside the simulated engine: token counts, digests and block ids instead of tensors. Inference thread only.</summary>
internal sealed class SimulatedSequence : BatchedSequence
{
    public SimulatedSequence(GenerationRequest request, ulong contentDigest, IReadOnlyList<int>? generated = null, bool recomputable = true)
        : base(request, recomputable)
    {
        ContentDigest = contentDigest;
        PromptDigest = SimulatedTokens.PromptDigest(request.PromptIds);
        GeneratedTokens = [.. generated ?? []];
    }

    /// <summary>Seeds the tokens: the prompt and its images, as the KV computed from them would.</summary>
    public ulong ContentDigest { get; set; }

    public ulong PromptDigest { get; }

    public List<int> GeneratedTokens { get; }

    public override int Length => PromptLength + GeneratedTokens.Count;

    public override void Add(int token) => GeneratedTokens.Add(token);
}
