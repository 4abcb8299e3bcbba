namespace EpdCluster.LoadTests.Client;

/// <summary>What one request measured. Times are seconds; offsets are from the start of the step.</summary>
internal sealed record RequestOutcome
{
    public required int Index { get; init; }

    /// <summary>When the request was sent (after any wait for a concurrency slot).</summary>
    public required double StartOffsetSeconds { get; init; }

    public required bool Success { get; init; }

    /// <summary>First content chunk − sent; null when no content arrived.</summary>
    public double? TtftSeconds { get; init; }

    /// <summary>Last content chunk − first content chunk.</summary>
    public double DecodeSeconds { get; init; }

    /// <summary>End of the stream (or the failure) − sent.</summary>
    public required double E2elSeconds { get; init; }

    /// <summary>Gaps between consecutive content chunks.</summary>
    public IReadOnlyList<double> ItlSeconds { get; init; } = [];

    /// <summary>Content chunks received (a chunk may carry more than one token).</summary>
    public int Chunks { get; init; }

    public int PromptTokens { get; init; }

    /// <summary><c>usage.completion_tokens</c>, or the chunk count when the server sent no usage.</summary>
    public int OutputTokens { get; init; }

    /// <summary><c>usage.prompt_tokens_details.image_tokens</c> when the server reports it.</summary>
    public int? ImageTokens { get; init; }

    /// <summary><c>usage.prompt_tokens_details.cached_tokens</c> when the server reports it.</summary>
    public int? CachedTokens { get; init; }

    public bool UsageReported { get; init; }

    public int Images { get; init; }

    public int MaxTokens { get; init; }

    public RequestErrorKind? Error { get; init; }

    public int? HttpStatus { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>(last − first token time) / (output tokens − 1); 0 for outputs of one token (vLLM and the EPD paper).</summary>
    public double TpotSeconds => OutputTokens > 1 ? DecodeSeconds / (OutputTokens - 1) : 0;

    public double CompletionOffsetSeconds => StartOffsetSeconds + E2elSeconds;
}
