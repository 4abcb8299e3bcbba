namespace EpdCluster.Runtime.Client;

/// <summary>What happened to one request inside the cluster, filled in as it goes (for usage, logs and metrics).</summary>
public sealed class GenerationTrace
{
    /// <summary>Prompt tokens whose image embeddings came from the token cache.</summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>Tiles this request had to encode.</summary>
    public int EncodedTiles { get; set; }

    public string? PrefillWorker { get; set; }

    /// <summary>The decode worker that streamed the last tokens (it changes when a role switch moves the request).</summary>
    public string? DecodeWorker { get; set; }

    /// <summary>How many times a role switch moved the request to another decode worker.</summary>
    public int DecodeMoves { get; set; }

    public TimeSpan EncodeTime { get; set; }

    public TimeSpan PrefillTime { get; set; }
}
