namespace EpdCluster.Engine.Serving;

/// <summary>One encode call waiting in a <see cref="TileEncoderStage"/>: its tiles' pixels and the embeddings it awaits.</summary>
internal sealed record TileJob(float[] Pixels, int TileCount, CancellationToken Cancellation)
{
    public TaskCompletionSource<float[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
