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
    private readonly Linear? kind_head;
    private readonly Linear? colour_head;
    private readonly WordHead? kind_words;
    private readonly WordHead? colour_words;
    private readonly Linear cell_head;
    private readonly Linear presence_head;

    /// <param name="wordAligned">
    /// Kind and colour are read by <see cref="WordHead"/>s — the token's cosine to the language model's own embeddings
    /// of the words ("triangle", "red") — instead of free linear classifiers, so the projector puts a red triangle into
    /// the directions of those words. <see cref="Loss"/> then needs the word embeddings.
    /// </param>
    public RegionProbe(int width, bool wordAligned = false) : base(nameof(RegionProbe))
    {
        if (wordAligned)
        {
            kind_words = new WordHead(width, RegionLabels.KindClasses);
            colour_words = new WordHead(width, RegionLabels.ColourClasses);
        }
        else
        {
            kind_head = nn.Linear(width, RegionLabels.KindClasses);
            colour_head = nn.Linear(width, RegionLabels.ColourClasses);
        }

        cell_head = nn.Linear(width, RegionLabels.CellClasses);
        presence_head = nn.Linear(width, RegionLabels.KindClasses - 1);
        RegisterComponents();
    }

    public bool IsWordAligned => kind_words is not null;

    /// <summary>
    /// The per-token cross-entropies (kind, colour, cell) plus, per image, a multi-label loss on which shape kinds it holds,
    /// read from the mean of its tokens. A shape's kind is hard to learn token by token (a token often shows a quarter of
    /// it), but easy from the whole image; the pooled loss puts kind features into the tokens that show the shape. Also
    /// the kind head's <see cref="KindAccuracy"/>, from the same logits.
    /// </summary>
    /// <param name="imageEmbeddings">[tokens, width], images one after another.</param>
    /// <param name="pooling">[images, tokens]: 1 / (the image's token count) where a token belongs to the image, else 0.</param>
    /// <param name="presence">[images, kinds]: 1 where the image holds that kind.</param>
    /// <param name="words">
    /// For a word-aligned probe, the language model's embeddings of the shape kinds' words ([kinds, width], in
    /// <see cref="Scenes.ShapeKinds.All"/> order) and of the palette's colour words ([colours, width]); else null.
    /// </param>
    public (Tensor Loss, double KindAccuracy) Loss(Tensor imageEmbeddings, Tensor kinds, Tensor colours, Tensor cells, Tensor pooling, Tensor presence, (Tensor Kinds, Tensor Colours)? words = null)
    {
        if (IsWordAligned != words.HasValue)
        {
            throw new ArgumentException(IsWordAligned ? "A word-aligned probe needs the word embeddings." : "This probe has its own kind and colour classifiers.", nameof(words));
        }

        var kindLogits = words is { } w ? kind_words!.Logits(imageEmbeddings, w.Kinds) : kind_head!.forward(imageEmbeddings);
        var colourLogits = words is { } c ? colour_words!.Logits(imageEmbeddings, c.Colours) : colour_head!.forward(imageEmbeddings);
        var loss = nn.functional.cross_entropy(kindLogits, kinds)
            + nn.functional.cross_entropy(colourLogits, colours)
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

/// <summary>
/// A classifier whose class vectors are word embeddings: class 0 (background) has a learnt vector, class i the i-th
/// word's embedding; the logit is a learnt temperature (10 · e^<c>log_scale</c>, so it starts near 10 from any small
/// initial value) times the cosine between a token and the class vector, plus a per-class bias. Given word embeddings
/// that require gradients, the loss moves the words too, so the words and the image tokens meet halfway.
/// </summary>
internal sealed class WordHead : nn.Module
{
    private const double BaseTemperature = 10;

    private readonly Parameter background;
    private readonly Parameter log_scale;
    private readonly Parameter bias;

    public WordHead(int width, int classes) : base(nameof(WordHead))
    {
        background = nn.Parameter(randn(width) * 0.02);
        log_scale = nn.Parameter(zeros(1));
        bias = nn.Parameter(zeros(classes));
        RegisterComponents();
    }

    /// <param name="tokens">[tokens, width].</param>
    /// <param name="words">[classes − 1, width].</param>
    public Tensor Logits(Tensor tokens, Tensor words)
    {
        var classes = nn.functional.normalize(cat([background.unsqueeze(0), words], 0), dim: -1);
        return (nn.functional.normalize(tokens, dim: -1).matmul(classes.t()) * (log_scale.exp() * BaseTemperature)) + bias;
    }
}
