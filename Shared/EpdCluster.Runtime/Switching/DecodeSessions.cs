using System.Collections.Concurrent;
using EpdCluster.Abstractions.Workers;

namespace EpdCluster.Runtime.Switching;

/// <summary>The requests this worker streams to gateways right now (the ones a drain must move).</summary>
internal sealed class DecodeSessions
{
    private readonly ConcurrentDictionary<long, DecodeSession> _sessions = new();

    public int Count => _sessions.Count;

    public DecodeSession Open(long requestId, int[] promptIds, SamplingSpec sampling) =>
        _sessions[requestId] = new DecodeSession(requestId, promptIds, sampling);

    public void Close(DecodeSession session) => _sessions.TryRemove(KeyValuePair.Create(session.RequestId, session));

    /// <summary>The sessions that have not moved yet.</summary>
    public IReadOnlyList<DecodeSession> Unmoved() => [.. _sessions.Values.Where(s => s.MovedTo is null)];
}
