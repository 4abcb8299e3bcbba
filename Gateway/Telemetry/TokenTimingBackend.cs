using System.Runtime.CompilerServices;
using EpdCluster.Engine.Serving;
using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.Telemetry;

/// <summary>A backend seen through one request's <see cref="RequestTelemetry"/>: every generated token is timed as it arrives.</summary>
internal sealed class TokenTimingBackend(IGenerationBackend inner, RequestTelemetry telemetry) : IGenerationBackend
{
    public ValueTask<BackendStatus> GetStatusAsync(CancellationToken cancellationToken) => inner.GetStatusAsync(cancellationToken);

    public async IAsyncEnumerable<GeneratedToken> GenerateAsync(GenerationInput input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var token in inner.GenerateAsync(input, cancellationToken))
        {
            if (token.Finish != FinishReason.Abort)
            {
                telemetry.TokenArrived();
            }

            yield return token;
        }
    }
}
