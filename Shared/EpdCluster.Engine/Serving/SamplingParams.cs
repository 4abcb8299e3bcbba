namespace EpdCluster.Engine.Serving;

/// <summary>How one request samples. Validated by <see cref="Validate"/> before it reaches the engine.</summary>
public sealed record SamplingParams
{
    /// <summary>Most tokens to generate.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>0 means greedy (argmax); OpenAI allows 0–2.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches TopP (1 = off).</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Keep only the K most likely tokens (0 = off).</summary>
    public int TopK { get; init; }

    /// <summary>Seed for reproducible sampling; null draws one at random.</summary>
    public long? Seed { get; init; }

    /// <summary>Token ids that end the sequence (in addition to the engine's defaults).</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    /// <summary>Keep generating past stop tokens (benchmarks that need exact output lengths).</summary>
    public bool IgnoreStopTokens { get; init; }

    public bool IsGreedy => Temperature <= GreedyTemperature;

    /// <summary>Temperatures at or below this are treated as greedy (dividing logits by ~0 is meaningless).</summary>
    public const double GreedyTemperature = 1e-5;

    public static SamplingParams Greedy(int maxTokens) => new() { Temperature = 0, MaxTokens = maxTokens };

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad parameter.</summary>
    public void Validate()
    {
        if (MaxTokens < 1)
        {
            throw new ArgumentException($"max_tokens must be at least 1, got {MaxTokens}.", nameof(MaxTokens));
        }

        if (double.IsNaN(Temperature) || Temperature < 0 || Temperature > 2)
        {
            throw new ArgumentException($"temperature must be between 0 and 2, got {Temperature}.", nameof(Temperature));
        }

        if (double.IsNaN(TopP) || TopP <= 0 || TopP > 1)
        {
            throw new ArgumentException($"top_p must be in (0, 1], got {TopP}.", nameof(TopP));
        }

        if (TopK < 0)
        {
            throw new ArgumentException($"top_k must be 0 (off) or positive, got {TopK}.", nameof(TopK));
        }
    }
}
