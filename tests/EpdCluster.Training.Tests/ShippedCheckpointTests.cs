using EpdCluster.Engine.Model;
using EpdCluster.Engine.Weights;
using EpdCluster.Training.Evaluation;
using EpdCluster.Training.Questions;

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
    /// The goal is 90 % (single tile) / 80 % (multi tile) on colour, shape and count questions; the shipped checkpoint
    /// reaches 83 % / 77 % on 500 held-out questions (docs/models.md), 78 % (47 of 60) on the colour, shape and count
    /// questions among these 100 — greedy decoding makes that number exact on every run. This guards what it reaches,
    /// well above chance (1 in 8 colours, 1 in 5 shapes, 1 in 4 counts: ≈ 19 % together) where dummy weights answer
    /// nothing right; and shape kinds alone (13 of 20; chance 4), which a vision tower that only sees colours misses.
    /// </remarks>
    [Fact]
    public async Task It_reads_colours_shapes_and_counts_of_held_out_scenes()
    {
        using var model = new ModelOptions().Load();
        var (table, answers) = await ServedAnswerEvaluator.EvaluateAsync(model, count: 100);
        Assert.Equal(100, table.Total);
        var seeing = table.Accuracy(null, QuestionKind.Colour, QuestionKind.Shape, QuestionKind.Count);
        var shapes = table.Accuracy(null, QuestionKind.Shape);
        var wrong = string.Join("; ", answers.Where(a => !a.IsCorrect).Take(8).Select(a => $"\"{a.Example.Question.Text}\" → \"{a.Reply}\" (expected \"{a.Example.Question.Answer}\")"));
        Assert.True(seeing >= 0.60, $"colour, shape and count accuracy {seeing:P1} is below 60 %: {wrong}\n{table.ToMarkdown()}");
        Assert.True(shapes >= 0.45, $"shape accuracy {shapes:P1} is below 45 %: {wrong}\n{table.ToMarkdown()}");

        // Every reply is a short answer in the taught form (no run-on text): the model ends its turn.
        Assert.All(answers.Where(a => a.Example.Question.Kind != QuestionKind.Caption), a => Assert.True(a.Reply.Split(' ').Length <= 2, $"\"{a.Reply}\""));
    }
}
