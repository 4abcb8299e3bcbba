namespace EpdCluster.Runtime.Telemetry;

/// <summary>Where traces, metrics and logs go besides the Prometheus endpoint. Section <c>Epd:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Epd:Telemetry";

    /// <summary>The standard OpenTelemetry variable that also turns the OTLP exporter on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// OTLP collector, e.g. <c>http://127.0.0.1:4317</c>. When set (here or in <see cref="OtlpEndpointVariable"/>),
    /// traces, metrics and logs are exported over OTLP; unset (default), nothing leaves the process but the scrape endpoint.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> (default, port 4317, the OpenTelemetry .NET default) or <c>HttpProtobuf</c> (port 4318).</summary>
    public OtlpProtocol OtlpProtocol { get; set; } = OtlpProtocol.Grpc;

    /// <summary>Whether OTLP export is on: an endpoint here or in the environment.</summary>
    public bool OtlpEnabled => !string.IsNullOrWhiteSpace(OtlpEndpoint) || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable));

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"{SectionName}:OtlpEndpoint '{OtlpEndpoint}' is not an absolute URI.");
        }
    }
}
