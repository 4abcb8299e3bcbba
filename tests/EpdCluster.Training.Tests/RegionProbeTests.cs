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
}
