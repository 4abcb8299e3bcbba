using EpdCluster.Training.Training;
using static TorchSharp.torch;

namespace EpdCluster.Training.Tests;

public sealed class RegionProbeTests
{
    [Fact]
    public void Kind_accuracy_counts_only_tokens_that_show_a_shape()
    {
        // A probe as wide as there are kind classes whose kind head reads the class straight off a one-hot token.
        var classes = RegionLabels.KindClasses;
        using var probe = new RegionProbe(classes);
        using (no_grad())
        {
            probe.state_dict()["kind_head.weight"].copy_(eye(classes));
            probe.state_dict()["kind_head.bias"].zero_();
        }

        // Six tokens: two background (one predicted wrong, which must not count), four shapes of which three are right.
        long[] truth = [0, 0, 1, 2, 3, 4];
        long[] shown = [0, 5, 1, 2, 3, 1];
        using var tokens = nn.functional.one_hot(tensor(shown), classes).to_type(ScalarType.Float32);

        Assert.Equal(0.75, probe.KindAccuracy(tokens, tensor(truth)), 12);
        Assert.True(double.IsNaN(probe.KindAccuracy(tokens, zeros(6, ScalarType.Int64))));
    }
}
