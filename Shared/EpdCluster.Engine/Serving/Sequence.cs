using static TorchSharp.torch;

namespace EpdCluster.Engine.Serving;

/// <summary>One request's state inside <see cref="LlmEngine"/>: its tokens, image rows and sampler. Touched only on the inference thread.</summary>
internal sealed class Sequence : BatchedSequence
{
    private readonly Dictionary<int, int> _imageRowByPosition = [];

    public Sequence(GenerationRequest request, int width)
        : this(request, width, recomputable: true)
    {
    }

    /// <summary>
    /// A sequence whose prompt was prefilled elsewhere: its KV is already in reserved blocks and its first token is known. It cannot be recomputed here (its image embeddings are not), so it is never preempted.
    /// </summary>
    public Sequence(GenerationRequest request, int width, int firstToken)
        : this(request, width, recomputable: false)
    {
        Tokens.Add(firstToken);
        Computed = PromptLength;
    }

    /// <summary>
    /// A sequence that was decoding on another worker: the K/V of every token but the last generated one is in
    /// reserved blocks. Like a prefilled one, it cannot be recomputed here.
    /// </summary>
    public Sequence(GenerationRequest request, int width, IReadOnlyList<int> generatedTokens)
        : this(request, width, recomputable: false)
    {
        Tokens.AddRange(generatedTokens);
        Computed = Tokens.Count - 1;
    }

    private Sequence(GenerationRequest request, int width, bool recomputable)
        : base(request, recomputable)
    {
        Tokens = [.. request.PromptIds];
        Width = width;
        Seed = request.Sampling.Seed ?? Random.Shared.NextInt64();
        ProbePositions = request.KvProbes?.Positions(PromptLength, request.RequestId);
    }

    /// <summary>The request's seed, drawn at random when the request gave none.</summary>
    public long Seed { get; }

    /// <summary>The prompt followed by the generated tokens.</summary>
    public List<int> Tokens { get; }

    public override int Length => Tokens.Count;

    public int Width { get; }

    /// <summary>Prompt positions whose queries are captured for saliency (sorted), or null.</summary>
    public int[]? ProbePositions { get; }

    /// <summary>Captured probe queries per layer, [probes × heads × headDim] each; filled as the prompt is computed.</summary>
    public float[][]? ProbeQueries { get; set; }

    /// <summary>One flag per prompt token: true for image tokens; null for a text-only prompt.</summary>
    public bool[]? ImageTokenFlags()
    {
        if (Request.Images.Count == 0)
        {
            return null;
        }

        var flags = new bool[PromptLength];
        foreach (var image in Request.Images)
        {
            Array.Fill(flags, true, image.Start, image.TokenCount);
        }

        return flags;
    }

    public Generator? Generator { get; private set; }

    /// <summary>All image embedding rows of the prompt, in position order: [M, width].</summary>
    public Tensor? ImageRows { get; private set; }

    /// <summary>Creates the tensors the sequence needs; called on the inference thread at admission.</summary>
    public override void Materialize()
    {
        Generator ??= new Generator((ulong)Seed);
        if (ImageRows is not null || Request.Images.Count == 0)
        {
            return;
        }

        var row = 0;
        foreach (var image in Request.Images.OrderBy(i => i.Start))
        {
            for (var i = 0; i < image.TokenCount; i++)
            {
                _imageRowByPosition[image.Start + i] = row++;
            }
        }

        var values = Request.Images.OrderBy(i => i.Start).SelectMany(i => i.Embeddings).ToArray();
        ImageRows = tensor(values, [row, Width]).DetachFromDisposeScope();
    }

    /// <summary>
    /// Reseeds the generator for the next token from (seed, token index) alone, so a sampled token does not depend on
    /// which process sampled the earlier ones: a disaggregated cluster samples exactly what one process would.
    /// </summary>
    public Generator GeneratorForNextToken()
    {
        var mixed = unchecked((ulong)Seed + (0x9E3779B97F4A7C15UL * (ulong)(Generated + 1)));
        mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9UL; // SplitMix64 finaliser: nearby indices give unrelated seeds
        mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBUL;
        return Generator!.manual_seed((long)(mixed ^ (mixed >> 31)));
    }

    /// <summary>The image row for prompt position <paramref name="position"/>, or -1 for a text token.</summary>
    public int ImageRowAt(int position) => _imageRowByPosition.TryGetValue(position, out var row) ? row : -1;

    public override void Add(int token) => Tokens.Add(token);

    public override void Dispose()
    {
        ImageRows?.Dispose();
        ImageRows = null;
        Generator?.Dispose();
        Generator = null;
    }
}
