namespace EpdCluster.LoadTests.Tests;

/// <summary>How the scripted server answers one request.</summary>
internal sealed record ResponseScript
{
    /// <summary>Non-200: answer with this status and a JSON error body, no stream.</summary>
    public int Status { get; init; } = 200;

    /// <summary>Milliseconds from the request's arrival to the first token.</summary>
    public double TtftMs { get; init; } = 10;

    /// <summary>Milliseconds between consecutive tokens; tokens = gaps + 1.</summary>
    public IReadOnlyList<double> GapsMs { get; init; } = [];

    /// <summary>Tokens carried by each content chunk (usage counts them all).</summary>
    public int TokensPerChunk { get; init; } = 1;

    public bool SendUsage { get; init; } = true;

    public int PromptTokens { get; init; } = 7;

    public int? ImageTokens { get; init; }

    /// <summary>After this many chunks, send an error object and stop.</summary>
    public int? ErrorAfterChunks { get; init; }

    /// <summary>After this many chunks, end the response without data: [DONE].</summary>
    public int? CutAfterChunks { get; init; }

    public int Chunks => GapsMs.Count + 1;
}
