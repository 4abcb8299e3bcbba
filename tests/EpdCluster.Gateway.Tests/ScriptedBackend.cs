using System.Runtime.CompilerServices;
using EpdCluster.Engine.Serving;
using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.Tests;

/// <summary>A backend that plays back fixed token ids and records how far it was read and whether it was aborted.</summary>
internal sealed class ScriptedBackend(IReadOnlyList<int> tokens, FinishReason finish) : IGenerationBackend
{
    public int Produced { get; private set; }

    public bool Cancelled { get; private set; }

    public bool Disposed { get; private set; }

    public ValueTask<BackendStatus> GetStatusAsync(CancellationToken cancellationToken) => ValueTask.FromResult(BackendStatus.Ready);

    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(GenerationInput input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => Cancelled = true);
        try
        {
            for (var i = 0; i < tokens.Count; i++)
            {
                await Task.Yield();
                Produced++;
                yield return new GeneratedToken(tokens[i], i, i == tokens.Count - 1 ? finish : null);
            }
        }
        finally
        {
            Disposed = true;
        }
    }
}
