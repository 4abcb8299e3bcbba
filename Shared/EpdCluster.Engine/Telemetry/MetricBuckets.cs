namespace EpdCluster.Engine.Telemetry;

/// <summary>Histogram bucket boundaries shared by every process, so one dashboard query fits all of them.</summary>
public static class MetricBuckets
{
    /// <summary>
    /// Latencies from 1 ms to 10 s: the OpenTelemetry GenAI semantic conventions' buckets for
    /// <c>gen_ai.server.time_to_first_token</c>. Also used for step and transfer times, which live on the same scale.
    /// </summary>
    public static IReadOnlyList<double> TimeToFirstTokenSeconds { get; } =
        [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>Per-token gaps from 10 ms to 2.5 s: the GenAI conventions' buckets for <c>gen_ai.server.time_per_output_token</c>.</summary>
    public static IReadOnlyList<double> TimePerOutputTokenSeconds { get; } =
        [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];

    /// <summary>Whole requests and stages from 10 ms to 82 s: the GenAI conventions' buckets for <c>gen_ai.server.request.duration</c>.</summary>
    public static IReadOnlyList<double> RequestDurationSeconds { get; } =
        [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    /// <summary>Sequences or tiles per step: powers of two up to 256 (the engine's default batch is 32 sequences, 8 tiles).</summary>
    public static IReadOnlyList<double> BatchSize { get; } = [1, 2, 4, 8, 16, 32, 64, 128, 256];
}
