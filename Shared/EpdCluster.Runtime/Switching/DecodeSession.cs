using EpdCluster.Abstractions.Workers;

namespace EpdCluster.Runtime.Switching;

/// <summary>A request streaming from this decode worker to a gateway, as a drain sees it.</summary>
internal sealed class DecodeSession(long requestId, int[] promptIds, SamplingSpec sampling)
{
    private volatile string? _movedTo;

    public long RequestId { get; } = requestId;

    public int[] PromptIds { get; } = promptIds;

    public SamplingSpec Sampling { get; } = sampling;

    /// <summary>The worker the request continues on, set before its stream here ends.</summary>
    public string? MovedTo
    {
        get => _movedTo;
        set => _movedTo = value;
    }
}
