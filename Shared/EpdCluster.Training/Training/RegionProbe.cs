using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Training.Training;

/// <summary>
/// A training-only auxiliary head on the projector's output (the image tokens the language model reads): linear
/// classifiers for each token's <see cref="RegionLabels"/> (shape kind, colour, cell). It gives the vision tower a dense signal from the first step,
/// instead of waiting for the language model to learn to look at the image. Never part of the served checkpoint.
/// </summary>
internal sealed class RegionProbe : nn.Module
{
    private readonly Linear kind_head;
    private readonly Linear colour_head;
    private readonly Linear cell_head;

    public RegionProbe(int width) : base(nameof(RegionProbe))
    {
        kind_head = nn.Linear(width, RegionLabels.KindClasses);
        colour_head = nn.Linear(width, RegionLabels.ColourClasses);
        cell_head = nn.Linear(width, RegionLabels.CellClasses);
        RegisterComponents();
    }

    /// <summary>Summed mean cross-entropies of the three classifiers over every image token: [tokens, width] against [tokens] labels.</summary>
    public Tensor Loss(Tensor imageEmbeddings, Tensor kinds, Tensor colours, Tensor cells) =>
        nn.functional.cross_entropy(kind_head.forward(imageEmbeddings), kinds)
        + nn.functional.cross_entropy(colour_head.forward(imageEmbeddings), colours)
        + nn.functional.cross_entropy(cell_head.forward(imageEmbeddings), cells);
}
