using EpdCluster.Engine.Serving;

namespace EpdCluster.Gateway.Serving;

/// <summary>
/// Where the gateway sends a validated, tokenized request: the embedded engine (all-in-one) or, later, the
/// disaggregated cluster. The gateway does everything text- and HTTP-shaped; a backend only turns prompt
/// tokens and preprocessed images into generated token ids.
/// </summary>
internal interface IGenerationBackend
{
    /// <summary>Whether <see cref="GenerateAsync"/> can serve now; <c>/ready</c> reports it.</summary>
    ValueTask<BackendStatus> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Streams the generated tokens; the last one carries the finish reason. Cancelling the token, or
    /// disposing the stream before its end, aborts the request and frees what it holds.
    /// </summary>
    /// <remarks>Errors may be thrown by the call itself or by the first <c>MoveNextAsync</c>.</remarks>
    /// <exception cref="BackendUnavailableException">No worker can take the request now (503).</exception>
    /// <exception cref="ArgumentException">The request can never be served, e.g. it does not fit the KV cache (400).</exception>
    IAsyncEnumerable<GeneratedToken> GenerateAsync(GenerationInput input, CancellationToken cancellationToken);
}
