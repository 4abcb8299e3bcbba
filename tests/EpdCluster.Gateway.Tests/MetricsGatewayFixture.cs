using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;
using EpdCluster.Gateway.Serving;

namespace EpdCluster.Gateway.Tests;

/// <summary>The API over a backend that always answers <see cref="Answer"/> and stops for length.</summary>
public sealed class MetricsGatewayFixture : InProcessGatewayHost
{
    public const string Answer = "one two three four five";

    public static int AnswerTokens { get; } = EpdTokenizer.Shared.EncodeText(Answer).Length;

    internal override IGenerationBackend CreateBackend() => new ScriptedBackend(EpdTokenizer.Shared.EncodeText(Answer), FinishReason.Length);
}
