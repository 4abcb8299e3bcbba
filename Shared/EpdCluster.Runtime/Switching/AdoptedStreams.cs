using System.Collections.Concurrent;
using System.Threading.Channels;
using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Serving;
using EpdCluster.Runtime.Workers;

namespace EpdCluster.Runtime.Switching;

/// <summary>
/// On a decode worker: token streams of requests moved here, decoding already, until the gateway resumes them. One
/// nobody resumes in time (the client left during the move) is aborted, so its blocks are not stranded.
/// </summary>
internal sealed class AdoptedStreams(WorkerEngineHost host, RoleSwitchOptions options)
{
    private readonly ConcurrentDictionary<long, (MigrateCommand Command, ChannelReader<GeneratedToken> Tokens)> _streams = new();

    public int Count => _streams.Count;

    public void Add(MigrateCommand command, ChannelReader<GeneratedToken> tokens)
    {
        _streams[command.RequestId] = (command, tokens);
        _ = AbortUnclaimedAsync(command.RequestId);
    }

    /// <summary>Takes the stream of a request moved here; null when there is none (never moved here, or not resumed in time).</summary>
    public (MigrateCommand Command, ChannelReader<GeneratedToken> Tokens)? Claim(long requestId) =>
        _streams.TryRemove(requestId, out var stream) ? stream : null;

    private async Task AbortUnclaimedAsync(long requestId)
    {
        await Task.Delay(options.ResumeTimeout);
        if (_streams.TryRemove(requestId, out _))
        {
            host.Engine.Llm.Abort(requestId);
        }
    }
}
