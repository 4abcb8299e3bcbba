using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;
using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.Tests;

/// <summary>The API over a backend that produces some text and then aborts the request, as a worker shutting down does.</summary>
public sealed class AbortingBackendGatewayFixture : InProcessGatewayHost
{
    public const string TextBeforeAbort = "Partial answer";

    internal override IGenerationBackend CreateBackend() =>
        new ScriptedBackend([.. EpdTokenizer.Shared.EncodeText(TextBeforeAbort), -1], FinishReason.Abort);
}
