namespace EpdCluster.Gateway.Hosting;

/// <summary>
/// What one request may ask for and how many the gateway takes at once. Section <c>Epd:Gateway:Limits</c>.
/// The per-image limits (bytes, pixels, tiles) are the engine's <c>Epd:Imaging</c> settings.
/// </summary>
public sealed class GatewayLimits
{
    public const string SectionName = "Epd:Gateway:Limits";

    /// <summary>Default body limit: 32 MiB holds the default 8 images in base64 at a few MiB each.</summary>
    public const long DefaultMaxRequestBodyBytes = 32L * 1024 * 1024;

    /// <summary>Largest request body in bytes (default 32 MiB); larger bodies get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>Most images in one request, over all messages (default 8: each costs up to MaxTiles + 1 vision passes).</summary>
    public int MaxImagesPerRequest { get; set; } = 8;

    /// <summary>
    /// Largest <c>max_tokens</c> accepted (default 4096, epd-tiny's whole context). A request without
    /// <c>max_tokens</c> may generate up to this many tokens or until the context is full, whichever is first.
    /// </summary>
    public int MaxTokensLimit { get; set; } = 4096;

    /// <summary>Requests generating at once (default 32, the engine's default decode batch: more would only queue inside it).</summary>
    public int MaxRunningRequests { get; set; } = 32;

    /// <summary>Requests waiting for a running slot (default 64, two full batches); beyond running + queued the answer is 429.</summary>
    public int MaxQueuedRequests { get; set; } = 64;

    /// <summary>The <c>Retry-After</c> sent with 429, in seconds (default 1: about one short completion at epd-tiny's speed).</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        Require(MaxRequestBodyBytes >= 1, nameof(MaxRequestBodyBytes), "at least 1");
        Require(MaxImagesPerRequest >= 0, nameof(MaxImagesPerRequest), "0 or positive");
        Require(MaxTokensLimit >= 1, nameof(MaxTokensLimit), "at least 1");
        Require(MaxRunningRequests >= 1, nameof(MaxRunningRequests), "at least 1");
        Require(MaxQueuedRequests >= 0, nameof(MaxQueuedRequests), "0 or positive");
        Require(RetryAfterSeconds >= 1, nameof(RetryAfterSeconds), "at least 1");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be {rule}.");
        }
    }
}
