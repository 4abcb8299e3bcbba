namespace EpdCluster.Gateway.Serving;

/// <summary>The backend cannot take or finish a request now; the client gets 503 with <see cref="Code"/>.</summary>
internal sealed class BackendUnavailableException(string code, string message) : Exception(message)
{
    /// <summary>The model is still loading.</summary>
    public const string ModelLoadingCode = "model_loading";

    /// <summary>No inference worker is reachable.</summary>
    public const string NoWorkersCode = "no_workers";

    /// <summary>The backend aborted the request before it finished (e.g. shutdown).</summary>
    public const string AbortedCode = "request_aborted";

    public string Code { get; } = code;
}
