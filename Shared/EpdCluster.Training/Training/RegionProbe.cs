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
    private readonly Linear presence_head;

    public RegionProbe(int width) : base(nameof(RegionProbe))
    {
        kind_head = nn.Linear(width, RegionLabels.KindClasses);
        colour_head = nn.Linear(width, RegionLabels.ColourClasses);
        cell_head = nn.Linear(width, RegionLabels.CellClasses);
        presence_head = nn.Linear(width, RegionLabels.KindClasses - 1);
        RegisterComponents();
    }

    /// <summary>
    /// The per-token cross-entropies (kind, colour, cell) plus, per image, a multi-label loss on which shape kinds it holds,
    /// read from the mean of its tokens. A shape's kind is hard to learn token by token (a token often shows a quarter of
    /// it), but easy from the whole image; the pooled loss puts kind features into the tokens that show the shape. Also
    /// the kind head's <see cref="KindAccuracy"/>, from the same logits.
    /// </summary>
    /// <param name="imageEmbeddings">[tokens, width], images one after another.</param>
    /// <param name="pooling">[images, tokens]: 1 / (the image's token count) where a token belongs to the image, else 0.</param>
    /// <param name="presence">[images, kinds]: 1 where the image holds that kind.</param>
    public (Tensor Loss, double KindAccuracy) Loss(Tensor imageEmbeddings, Tensor kinds, Tensor colours, Tensor cells, Tensor pooling, Tensor presence)
    {
        var kindLogits = kind_head.forward(imageEmbeddings);
        var loss = nn.functional.cross_entropy(kindLogits, kinds)
            + nn.functional.cross_entropy(colour_head.forward(imageEmbeddings), colours)
            + nn.functional.cross_entropy(cell_head.forward(imageEmbeddings), cells)
            + nn.functional.binary_cross_entropy_with_logits(presence_head.forward(pooling.matmul(imageEmbeddings)), presence);
        return (loss, KindAccuracy(kindLogits, kinds));
    }

    /// <summary>
    /// The share of tokens showing a shape whose kind the logits name — the number that says whether the vision tower
    /// tells shapes apart (chance: one in <see cref="RegionLabels.KindClasses"/> − 1); NaN when no token shows a shape.
    /// </summary>
    /// <param name="kindLogits">[tokens, kind classes].</param>
    public static double KindAccuracy(Tensor kindLogits, Tensor kinds)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var foreground = kinds.gt(0);
        var shown = foreground.sum().item<long>();
        if (shown == 0)
        {
            return double.NaN;
        }

        var right = kindLogits.detach().argmax(-1).eq(kinds).logical_and(foreground).sum().item<long>();
        return (double)right / shown;
    }
}
