namespace EpdCluster.Engine.Serving;

/// <summary>Why a sequence stopped generating (OpenAI's <c>finish_reason</c> plus aborts).</summary>
public enum FinishReason
{
    /// <summary>A stop token (or, at the text layer, a stop string) was produced.</summary>
    Stop,

    /// <summary>max_tokens was reached, or the context is full.</summary>
    Length,

    /// <summary>The request was cancelled (client gone, explicit abort, shutdown).</summary>
    Abort,
}
