namespace EpdCluster.Runtime.Telemetry;

/// <summary>The OTLP transport of <see cref="TelemetryOptions"/>.</summary>
public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}
