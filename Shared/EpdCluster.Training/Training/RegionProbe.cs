using EpdCluster.Training.Scenes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EpdCluster.Training.Training;

/// <summary>
/// A training-only auxiliary head on the projector's output (the image tokens the language model reads): linear
/// classifiers for each token's <see cref="RegionLabels"/> (shape kind, colour, cell, position in the image). It gives the vision tower a dense signal from the first step,
/// instead of waiting for the language model to learn to look at the image. Never part of the served checkpoint.
/// </summary>
internal sealed class RegionProbe : nn.Module
{
    private readonly Linear? kind_head;
    private readonly Linear? colour_head;
    private readonly WordHead? kind_words;
    private readonly WordHead? colour_words;
    private readonly WordHead? position_words;
    private readonly Linear cell_head;
    private readonly Linear presence_head;

    /// <param name="wordAligned">
    /// Kind and colour are read by <see cref="WordHead"/>s — the token's cosine to the language model's own embeddings
    /// of the words ("triangle", "red") — instead of free linear classifiers, so the projector puts a red triangle into
    /// the directions of those words. <see cref="Loss"/> then needs the word embeddings.
    /// </param>
    /// <param name="positionWords">
    /// A word-aligned probe also reads the token's named position in the image, against the embeddings of the
    /// position's words ("top" + "left"), so a shape at the top left points where "at the top left" does in a question.
    /// </param>
    public RegionProbe(int width, bool wordAligned = false, bool positionWords = false) : base(nameof(RegionProbe))
    {
        if (positionWords && !wordAligned)
        {
            throw new ArgumentException("Position words need a word-aligned probe.", nameof(positionWords));
        }

        if (wordAligned)
        {
            kind_words = new WordHead(width, RegionLabels.KindClasses);
            colour_words = new WordHead(width, RegionLabels.ColourClasses);
            position_words = positionWords ? new WordHead(width, ScenePositions.All.Count, background: false) : null;
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

    public bool ReadsPositionWords => position_words is not null;

    /// <summary>
    /// The per-token cross-entropies (kind, colour, cell and, with position words, the position in the image where a
    /// token's tile shows the whole image) plus, per image, a multi-label loss on which shape kinds it holds,
    /// read from the mean of its tokens. A shape's kind is hard to learn token by token (a token often shows a quarter of
    /// it), but easy from the whole image; the pooled loss puts kind features into the tokens that show the shape. Also
    /// the kind head's <see cref="KindAccuracy"/>, from the same logits.
    /// </summary>
    /// <param name="imageEmbeddings">[tokens, width], images one after another.</param>
    /// <param name="pooling">[images, tokens]: 1 / (the image's token count) where a token belongs to the image, else 0.</param>
    /// <param name="presence">[images, kinds]: 1 where the image holds that kind.</param>
    /// <param name="words">
    /// For a word-aligned probe, the language model's embeddings of the shape kinds' words ([kinds, width], in
    /// <see cref="Scenes.ShapeKinds.All"/> order), of the palette's colour words ([colours, width]) and of the positions'
    /// words ([positions, width], in <see cref="ScenePositions.All"/> order; only for a probe that reads them); else null.
    /// </param>
    /// <param name="positions">Per token, its <see cref="ScenePosition"/> or <see cref="RegionLabels.Unplaced"/> (not scored); read only with position words.</param>
    public (Tensor Loss, double KindAccuracy) Loss(Tensor imageEmbeddings, Tensor kinds, Tensor colours, Tensor cells, Tensor positions, Tensor pooling, Tensor presence, ProbeWords? words = null)
    {
        if (IsWordAligned != words.HasValue || (ReadsPositionWords != words?.Positions is not null))
        {
            throw new ArgumentException(IsWordAligned ? "A word-aligned probe needs the word embeddings it reads (position words only when it reads positions)." : "This probe has its own kind and colour classifiers.", nameof(words));
        }

        var kindLogits = words is { } w ? kind_words!.Logits(imageEmbeddings, w.Kinds) : kind_head!.forward(imageEmbeddings);
        var colourLogits = words is { } c ? colour_words!.Logits(imageEmbeddings, c.Colours) : colour_head!.forward(imageEmbeddings);
        var loss = nn.functional.cross_entropy(kindLogits, kinds)
            + nn.functional.cross_entropy(colourLogits, colours)
            + nn.functional.cross_entropy(cell_head.forward(imageEmbeddings), cells)
            + nn.functional.binary_cross_entropy_with_logits(presence_head.forward(pooling.matmul(imageEmbeddings)), presence);
        if (words?.Positions is { } positionWords)
        {
            loss += nn.functional.cross_entropy(position_words!.Logits(imageEmbeddings, positionWords), positions, ignore_index: RegionLabels.Unplaced);
        }

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

/// <summary>The language model's embeddings of the words a word-aligned probe reads image tokens against: [classes, width] each.</summary>
internal readonly record struct ProbeWords(Tensor Kinds, Tensor Colours, Tensor? Positions = null);

/// <summary>
/// A classifier whose class vectors are word embeddings: class 0 (background) has a learnt vector, class i the i-th
/// word's embedding (without a background class, class i is the i-th word's); the logit is a learnt temperature
/// (10 · e^<c>log_scale</c>, so it starts near 10 from any small initial value) times the cosine between a token and
/// the class vector, plus a per-class bias. Given word embeddings
/// that require gradients, the loss moves the words too, so the words and the image tokens meet halfway.
/// </summary>
internal sealed class WordHead : nn.Module
{
    private const double BaseTemperature = 10;

    private readonly Parameter? background;
    private readonly Parameter log_scale;
    private readonly Parameter bias;

    /// <param name="classes">Classes, the background's included when there is one.</param>
    public WordHead(int width, int classes, bool background = true) : base(nameof(WordHead))
    {
        this.background = background ? nn.Parameter(randn(width) * 0.02) : null;
        log_scale = nn.Parameter(zeros(1));
        bias = nn.Parameter(zeros(classes));
        RegisterComponents();
    }

    /// <param name="tokens">[tokens, width].</param>
    /// <param name="words">[classes − 1, width], or [classes, width] without a background class.</param>
    public Tensor Logits(Tensor tokens, Tensor words)
    {
        var classes = nn.functional.normalize(background is null ? words : cat([background.unsqueeze(0), words], 0), dim: -1);
        return (nn.functional.normalize(tokens, dim: -1).matmul(classes.t()) * (log_scale.exp() * BaseTemperature)) + bias;
    }
}
