using EpdCluster.Engine.Weights;
using EpdCluster.Training.Scenes;
using EpdCluster.Training.Training;
using static TorchSharp.torch;

namespace EpdCluster.Training.Tests;

public sealed class RegionProbeTests
{
    [Fact]
    public void Kind_accuracy_counts_only_tokens_that_show_a_shape()
    {
        // Kind logits that name, for each token, the class it is one-hot at.
        var classes = RegionLabels.KindClasses;

        // Six tokens: two background (one predicted wrong, which must not count), four shapes of which three are right.
        long[] truth = [0, 0, 1, 2, 3, 4];
        long[] shown = [0, 5, 1, 2, 3, 1];
        using var logits = nn.functional.one_hot(tensor(shown), classes).to_type(ScalarType.Float32);

        Assert.Equal(0.75, RegionProbe.KindAccuracy(logits, tensor(truth)), 12);
        Assert.True(double.IsNaN(RegionProbe.KindAccuracy(logits, zeros(6, ScalarType.Int64))));
    }

    [Fact]
    public void A_word_head_scores_a_token_by_its_cosine_to_each_word_and_trains_the_words()
    {
        using var head = new WordHead(4, 3);
        var words = tensor(new float[,] { { 1, 0, 0, 0 }, { 0, 2, 0, 0 } }).requires_grad_(true);

        // A token along the second word scores it highest among the words, by 10 × its cosine (the bias starts at 0).
        var logits = head.Logits(tensor(new float[,] { { 0, 3, 0, 4 } }), words);
        Assert.Equal([1, 3], logits.shape);
        Assert.Equal(0, logits[0, 1].item<float>(), 4);
        Assert.Equal(10 * 3 / 5.0, logits[0, 2].item<float>(), 4);

        nn.functional.cross_entropy(logits, tensor(new long[] { 1 })).backward();
        Assert.True(words.grad!.abs().sum().item<float>() > 0, "the word embeddings got no gradient");
    }

    [Fact]
    public void A_word_head_without_a_background_class_has_exactly_one_class_per_word()
    {
        using var head = new WordHead(4, 2, background: false);
        var words = tensor(new float[,] { { 1, 0, 0, 0 }, { 0, 0, 0, 5 } });

        var logits = head.Logits(tensor(new float[,] { { 0, 3, 0, 4 } }), words);
        Assert.Equal([1, 2], logits.shape);
        Assert.Equal(0, logits[0, 0].item<float>(), 4);
        Assert.Equal(10 * 4 / 5.0, logits[0, 1].item<float>(), 4);
    }

    [Fact]
    public void A_word_aligned_probe_scores_positions_only_where_a_token_is_placed()
    {
        using var probe = new RegionProbe(8, wordAligned: true, positionWords: true);
        DummyWeights.Initialize(probe, 3);
        var tokens = randn(16, 8, generator: new Generator(5));
        var labels = zeros(16, ScalarType.Int64);
        var pooling = full(1, 16, 1f / 16);
        var presence = zeros(1, RegionLabels.KindClasses - 1);
        var words = new ProbeWords(randn(RegionLabels.KindClasses - 1, 8), randn(RegionLabels.ColourClasses - 1, 8), randn(ScenePositions.All.Count, 8));
        double Loss(long[] positions) => probe.Loss(tokens, labels, labels, labels, tensor(positions), pooling, presence, words).Loss.item<float>();

        // Only the last token is placed, and its label changes the loss; placing the others changes it too.
        var unplaced = Enumerable.Repeat(RegionLabels.Unplaced, 15).ToArray();
        var atTopLeft = Loss([.. unplaced, 0]);
        Assert.True(double.IsFinite(atTopLeft));
        Assert.NotEqual(atTopLeft, Loss([.. unplaced, 8]));
        Assert.NotEqual(atTopLeft, Loss([.. Enumerable.Repeat(0L, 15), 0]));
    }

    [Fact]
    public void A_word_aligned_probe_needs_the_word_embeddings_it_reads_and_a_plain_one_refuses_them()
    {
        using var plain = new RegionProbe(8);
        using var aligned = new RegionProbe(8, wordAligned: true);
        using var placing = new RegionProbe(8, wordAligned: true, positionWords: true);
        var tokens = randn(16, 8);
        var labels = zeros(16, ScalarType.Int64);
        var pooling = full(1, 16, 1f / 16);
        var presence = zeros(1, RegionLabels.KindClasses - 1);
        var words = new ProbeWords(randn(RegionLabels.KindClasses - 1, 8), randn(RegionLabels.ColourClasses - 1, 8));
        var withPositions = words with { Positions = randn(ScenePositions.All.Count, 8) };

        Assert.True(double.IsFinite(aligned.Loss(tokens, labels, labels, labels, labels, pooling, presence, words).Loss.item<float>()));
        Assert.True(double.IsFinite(placing.Loss(tokens, labels, labels, labels, labels, pooling, presence, withPositions).Loss.item<float>()));
        Assert.Throws<ArgumentException>(() => aligned.Loss(tokens, labels, labels, labels, labels, pooling, presence));
        Assert.Throws<ArgumentException>(() => aligned.Loss(tokens, labels, labels, labels, labels, pooling, presence, withPositions));
        Assert.Throws<ArgumentException>(() => placing.Loss(tokens, labels, labels, labels, labels, pooling, presence, words));
        Assert.Throws<ArgumentException>(() => plain.Loss(tokens, labels, labels, labels, labels, pooling, presence, words));
        Assert.Throws<ArgumentException>(() => new RegionProbe(8, positionWords: true));
    }
}
