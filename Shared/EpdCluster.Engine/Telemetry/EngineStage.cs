namespace EpdCluster.Engine.Telemetry;

/// <summary>The <c>stage</c> label values of engine and request metrics.</summary>
public static class EngineStage
{
    public const string Encode = "encode";
    public const string Prefill = "prefill";
    public const string Decode = "decode";
}
