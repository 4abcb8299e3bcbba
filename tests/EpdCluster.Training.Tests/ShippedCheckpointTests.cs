using EpdCluster.Engine.Model;
using EpdCluster.Engine.Weights;
using EpdCluster.Training.Evaluation;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;

namespace EpdCluster.Training.Tests;

/// <summary>The trained epd-tiny that ships with the repository, served by default (inference only).</summary>
public sealed class ShippedCheckpointTests
{
    private static readonly QuestionKind[] QualityBarKinds = [QuestionKind.Colour, QuestionKind.Shape, QuestionKind.Count];

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

    [Fact]
    public async Task It_answers_held_out_questions_at_the_quality_bar()
    {
        using var model = new ModelOptions().Load();
        var (table, answers) = await ServedAnswerEvaluator.EvaluateAsync(model, count: 100);
        Assert.Equal(100, table.Total);
        var single = table.Accuracy(SceneLayout.SingleTile, QualityBarKinds);
        var multi = table.Accuracy(SceneLayout.MultiTile, QualityBarKinds);
        var wrong = string.Join("; ", answers.Where(a => !a.IsCorrect).Take(8).Select(a => $"\"{a.Example.Question.Text}\" → \"{a.Reply}\" (expected \"{a.Example.Question.Answer}\")"));
        Assert.True(single >= 0.90, $"single-tile colour/shape/count accuracy {single:P1} is below 90%: {wrong}\n{table.ToMarkdown()}");
        Assert.True(multi >= 0.80, $"multi-tile colour/shape/count accuracy {multi:P1} is below 80%: {wrong}\n{table.ToMarkdown()}");
    }
}
