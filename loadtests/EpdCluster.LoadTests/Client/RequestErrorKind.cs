namespace EpdCluster.LoadTests.Client;

/// <summary>Why a request failed; reports count failures by kind and by HTTP status.</summary>
internal enum RequestErrorKind
{
    /// <summary>The server answered with a non-2xx status.</summary>
    HttpStatus,

    /// <summary>No connection, or it broke before the response started.</summary>
    Connection,

    /// <summary>The request outlived --request-timeout.</summary>
    Timeout,

    /// <summary>The stream carried an error object.</summary>
    StreamError,

    /// <summary>The stream ended (or broke) before <c>data: [DONE]</c>.</summary>
    Incomplete,

    /// <summary>A chunk was not valid JSON, or had an unexpected shape.</summary>
    Protocol,

    /// <summary>The step reached its time limit while the request was open.</summary>
    Cancelled,
}
