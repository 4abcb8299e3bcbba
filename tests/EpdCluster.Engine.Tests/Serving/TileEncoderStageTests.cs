using EpdCluster.Engine.Model;
using EpdCluster.Engine.Serving;

namespace EpdCluster.Engine.Tests.Serving;

/// <summary>
/// The encode stages' shared batching, stepped by hand: whole jobs batched up to the tile budget, cancelled jobs dropped,
/// each job completed with its own embeddings, a failed encode failing its batch, the counts the stages report.
/// </summary>
public sealed class TileEncoderStageTests : IDisposable
{
    private static readonly VisionConfig Vision = EpdModelConfig.Tiny.Vision;
    private readonly InferenceThread _thread = new("tile-encoder-test", []);

    [Fact]
    public async Task Whole_jobs_are_batched_up_to_the_tile_budget_and_cancelled_ones_are_dropped()
    {
        var batches = new List<int[]>();
        var stage = Stage(maxBatchTiles: 4, (batch, tiles) =>
        {
            batches.Add([.. batch.Select(j => j.TileCount)]);
            Assert.Equal(batch.Sum(j => j.TileCount), tiles);
            return [.. batch.Select(j => new float[] { j.TileCount })];
        });
        using var cancelled = new CancellationTokenSource();
        var three = stage.EncodeTilesAsync(Pixels(3), 3);
        var dropped = stage.EncodeTilesAsync(Pixels(1), 1, cancelled.Token);
        var one = stage.EncodeTilesAsync(Pixels(1), 1);
        var two = stage.EncodeTilesAsync(Pixels(2), 2);
        cancelled.Cancel();
        Assert.Equal((7, 4), (stage.QueuedTiles, stage.QueuedJobs));

        Assert.True(stage.RunStep());
        Assert.Equal((2, 1), (stage.QueuedTiles, stage.QueuedJobs));
        Assert.True(stage.RunStep());
        Assert.False(stage.RunStep());

        Assert.Equal([[3, 1], [2]], batches);
        Assert.Equal(new[] { 3f }, await three);
        Assert.Equal(new[] { 1f }, await one);
        Assert.Equal(new[] { 2f }, await two);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        Assert.Equal(6, stage.EncodedTiles);
        Assert.Equal(0, stage.QueuedTiles);
    }

    [Fact]
    public async Task A_failed_encode_fails_every_job_of_its_batch_and_counts_nothing()
    {
        var stage = Stage(maxBatchTiles: 8, (_, _) => throw new InvalidDataException("tower failed"));
        var first = stage.EncodeTilesAsync(Pixels(1), 1);
        var second = stage.EncodeTilesAsync(Pixels(2), 2);

        Assert.True(stage.RunStep());

        Assert.Equal("tower failed", (await Assert.ThrowsAsync<InvalidDataException>(() => first)).Message);
        Assert.Equal("tower failed", (await Assert.ThrowsAsync<InvalidDataException>(() => second)).Message);
        Assert.Equal(0, stage.EncodedTiles);
    }

    [Fact]
    public async Task Shutdown_fails_the_queued_jobs()
    {
        var stage = Stage(maxBatchTiles: 8, (_, _) => []);
        var job = stage.EncodeTilesAsync(Pixels(1), 1);

        stage.Shutdown();

        var error = await Assert.ThrowsAsync<OperationCanceledException>(() => job);
        Assert.Equal("The encoder is shutting down.", error.Message);
        Assert.Equal(0, stage.QueuedJobs);
    }

    [Fact]
    public void Pixels_that_do_not_match_the_tile_count_are_refused()
    {
        var stage = Stage(maxBatchTiles: 8, (_, _) => []);

        var error = Assert.Throws<ArgumentException>(() => { _ = stage.EncodeTilesAsync(Pixels(1), 2); });

        Assert.StartsWith($"Expected {2 * 3 * 224 * 224} floats for 2 tiles of 224×224, got {3 * 224 * 224}.", error.Message);
        Assert.Equal(0, stage.QueuedTiles);
    }

    public void Dispose() => _thread.Dispose();

    private ScriptedStage Stage(int maxBatchTiles, Func<IReadOnlyList<TileJob>, int, float[][]> encode)
    {
        var stage = new ScriptedStage(maxBatchTiles, encode);
        stage.Attach(_thread);
        return stage;
    }

    private static float[] Pixels(int tiles) => new float[tiles * Vision.NumChannels * Vision.ImageSize * Vision.ImageSize];

    /// <summary>A stage whose batches are encoded by the test.</summary>
    private sealed class ScriptedStage(int maxBatchTiles, Func<IReadOnlyList<TileJob>, int, float[][]> encode) : TileEncoderStage(Vision, maxBatchTiles, metrics: null)
    {
        private protected override float[][] Encode(IReadOnlyList<TileJob> batch, int tiles) => encode(batch, tiles);
    }
}
