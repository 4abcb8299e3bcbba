using EpdCluster.Engine.Model;
using EpdCluster.Engine.Weights;
using EpdCluster.Training.Evaluation;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Tests;

/// <summary>The trained epd-tiny that ships with the repository, served by default (inference only).</summary>
public sealed class ShippedCheckpointTests
{
    [Fact]
    public void Epd_tiny_is_served_from_the_shipped_checkpoint_unless_dummy_weights_are_asked_for()
    {
        var options = new ModelOptions();
        var shipped = options.ShippedCheckpointDirectory();
        Assert.NotNull(shipped);
        Assert.Equal(shipped, options.ResolveCheckpointDirectory());
        var (config, _) = ModelCheckpoint.ReadConfig(shipped);
        Assert.Equal(EpdModelConfig.Tiny, config);
        Assert.Equal("trained", SafetensorsFile.Open(Path.Combine(shipped, ModelCheckpoint.WeightsFileName)).Metadata["epd.load_format"]);

        var cache = Directory.CreateTempSubdirectory("epd-dummy-").FullName;
        try
        {
            var dummy = new ModelOptions { LoadFormat = ModelLoadFormat.Dummy, CacheDirectory = cache };
            Assert.Null(dummy.ShippedCheckpointDirectory());
            Assert.StartsWith(cache, dummy.ResolveCheckpointDirectory(), StringComparison.Ordinal);
            Assert.Null(new ModelOptions { Name = "epd-small", CacheDirectory = cache }.ShippedCheckpointDirectory());
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }

        var both = Assert.Throws<InvalidOperationException>(() => new ModelOptions { LoadFormat = ModelLoadFormat.Dummy, Path = shipped }.Validate());
        Assert.Contains("LoadFormat", both.Message, StringComparison.Ordinal);
    }

    /// <remarks>
    /// The goal (docs/models.md): 90 % on colour, shape and count questions about single-tile images, 80 % about
    /// multi-tile ones. The shipped checkpoint answers 138 of those 150 held-out questions right (92.0 %) and 135 of 150
    /// (90.0 %) — greedy decoding makes the numbers the same on every run — so the goal is asserted as it stands;
    /// dummy weights answer nothing right. Shape kinds alone (chance 1 in 5) are checked too: a vision tower that only
    /// sees colours fails them.
    /// </remarks>
    [Fact]
    public async Task It_reads_colours_shapes_and_counts_of_held_out_scenes_as_well_as_the_goal_asks()
    {
        using var model = new ModelOptions().Load();
        var (table, answers) = await ServedAnswerEvaluator.EvaluateAsync(model, count: 500);
        Assert.Equal(500, table.Total);
        var single = table.Accuracy(SceneLayout.SingleTile, QuestionKind.Colour, QuestionKind.Shape, QuestionKind.Count);
        var multi = table.Accuracy(SceneLayout.MultiTile, QuestionKind.Colour, QuestionKind.Shape, QuestionKind.Count);
        var shapes = table.Accuracy(null, QuestionKind.Shape);
        var wrong = string.Join("; ", answers.Where(a => !a.IsCorrect).Take(8).Select(a => $"\"{a.Example.Question.Text}\" → \"{a.Reply}\" (expected \"{a.Example.Question.Answer}\")"));
        Assert.True(single >= 0.90, $"single-tile colour, shape and count accuracy {single:P1} is below 90 %: {wrong}\n{table.ToMarkdown()}");
        Assert.True(multi >= 0.80, $"multi-tile colour, shape and count accuracy {multi:P1} is below 80 %: {wrong}\n{table.ToMarkdown()}");
        Assert.True(shapes >= 0.80, $"shape accuracy {shapes:P1} is below 80 %: {wrong}\n{table.ToMarkdown()}");

        // Every reply is a short answer in the taught form (no run-on text): the model ends its turn.
        Assert.All(answers.Where(a => a.Example.Question.Kind != QuestionKind.Caption), a => Assert.True(a.Reply.Split(' ').Length <= 2, $"\"{a.Reply}\""));
    }
}
