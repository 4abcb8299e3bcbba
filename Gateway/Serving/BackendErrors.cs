using EpdCluster.Gateway.OpenAi;

namespace EpdCluster.Gateway.Serving;

/// <summary>How the errors a backend contract allows become OpenAI errors; anything else is a bug (500).</summary>
internal static class BackendErrors
{
    /// <summary>The OpenAI error for <paramref name="exception"/>, or null when it must propagate (cancellation, bugs).</summary>
    public static OpenAiException? Translate(Exception exception) => exception switch
    {
        OpenAiException error => error,
        BackendUnavailableException unavailable => OpenAiErrors.Unavailable(unavailable.Message, unavailable.Code),

        // The engine refuses requests it can never serve (e.g. a prompt larger than its KV cache) with a message for people.
        ArgumentException invalid => OpenAiErrors.InvalidRequest(invalid.Message, code: "invalid_request"),
        _ => null,
    };
}
