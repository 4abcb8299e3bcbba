using EpdCluster.Engine.Text;
using EpdCluster.Training.Data;
using EpdCluster.Training.Questions;
using EpdCluster.Training.Scenes;
using static TorchSharp.torch;

namespace EpdCluster.Training.Training;

/// <summary>How an answer finds the shape it is about: each way is taught to its own attention head.</summary>
internal enum GuideLookup
{
    /// <summary>By the kind the question names ("What colour is the star?", "Is there a red star?").</summary>
    ByKind,

    /// <summary>By the position the question names ("Which shape is on the right?").</summary>
    ByPosition,
}

/// <summary>
/// The tokens of the words a question names a shape by: each shape kind's as an answer starts with it and as a
/// sentence has it ("star", " star": [kinds, 2]), and each position's words as a question writes them (" top",
/// " left"; " centre" twice: [positions, 2]). The probe reads image tokens against their embeddings; the attention
/// guide finds them in questions.
/// </summary>
internal sealed record QuestionWords(long[,] Kinds, long[,] Positions)
{
    public static QuestionWords From(EpdTokenizer tokenizer) => new(
        WordTokens(tokenizer, ShapeKinds.All.Select(kind => kind.Word())),
        PhraseTokens(tokenizer, ScenePositions.All.Select(position => position.Name())));

    /// <summary>
    /// Per word, the first token it is written with at the start of an answer ("red") and inside a sentence (" red"):
    /// [words, 2].
    /// </summary>
    public static long[,] WordTokens(EpdTokenizer tokenizer, IEnumerable<string> words)
    {
        var list = words.ToList();
        var tokens = new long[list.Count, 2];
        for (var i = 0; i < list.Count; i++)
        {
            tokens[i, 0] = tokenizer.EncodeText(list[i])[0];
            tokens[i, 1] = tokenizer.EncodeText(" " + list[i])[0];
        }

        return tokens;
    }

    /// <summary>
    /// Per phrase of one or two words ("top left", "centre"), the first token of each word as a question writes it
    /// (" top", " left"), a one-word phrase's twice: [phrases, 2].
    /// </summary>
    private static long[,] PhraseTokens(EpdTokenizer tokenizer, IEnumerable<string> phrases)
    {
        var list = phrases.ToList();
        var tokens = new long[list.Count, 2];
        for (var i = 0; i < list.Count; i++)
        {
            var words = list[i].Split(' ');
            if (words.Length > 2)
            {
                throw new ArgumentException($"'{list[i]}' has more than two words.", nameof(phrases));
            }

            tokens[i, 0] = tokenizer.EncodeText(" " + words[0])[0];
            tokens[i, 1] = tokenizer.EncodeText(" " + words[^1])[0];
        }

        return tokens;
    }
}

/// <summary>
/// Examples packed for one forward pass: each example's conversation (prompt + answer, then any follow-up turns)
/// right-padded to the longest of its <see cref="Groups">length group</see> (the shorter conversations in one
/// [rows, length] block, the longer in another, when that saves padding: a single-tile chat is half as long as a tiled
/// one); every tile of every image stacked ([tiles, 3, S, S]); where image embeddings go in the flattened sequence of
/// all blocks; and the positions whose next-token prediction is scored (for each answer, the token before it and every
/// answer token but the last) with their targets. Examples keep their order in everything but the block layout.
/// Causal attention means padding after a sequence never changes its earlier positions.
/// </summary>
internal sealed class SceneBatch
{
    /// <param name="tokensPerSide">Image tokens per tile side (epd-tiny: 4), for the region labels.</param>
    /// <param name="positionLookup">Whether the guide tells lookups by position from lookups by kind (<see cref="GuideLookups"/>); else all are by kind.</param>
    /// <param name="words">The naming words' tokens, to find them in each guided question (<see cref="GuideWordKeyPositions"/>); null: not found.</param>
    public SceneBatch(IReadOnlyList<SceneExample> examples, int tokensPerSide, bool positionLookup = false, QuestionWords? words = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(examples.Count);
        Examples = examples;
        var lengths = examples.Select(e => e.Conversation.Ids.Length).ToArray();
        var (groups, groupOf) = LengthGroups(lengths);
        Groups = groups;
        var rowStarts = new long[examples.Count];
        var blockStart = 0L;
        for (var g = 0; g < groups.Count; g++)
        {
            var row = 0;
            for (var b = 0; b < examples.Count; b++)
            {
                if (groupOf[b] == g)
                {
                    rowStarts[b] = blockStart + ((long)row++ * groups[g].Length);
                }
            }

            blockStart += (long)groups[g].Rows * groups[g].Length;
        }

        RowStarts = rowStarts;
        var tileFloats = examples[0].Image.Pixels.Length / examples[0].Image.TileCount;
        TileSize = examples[0].Image.TileSize;

        Ids = new long[blockStart];
        Array.Fill(Ids, EpdTokenizer.EndOfTextId);
        Pixels = new float[examples.Sum(e => e.Image.Pixels.Length)];
        var imagePositions = new List<long>();
        var regionKinds = new List<long>();
        var regionColours = new List<long>();
        var regionCells = new List<long>();
        var regionPositions = new List<long>();
        var predicted = new List<long>();
        var targets = new List<long>();
        var weights = new List<float>();
        var guideQueries = new List<long>();
        var guideRows = new List<long>();
        var guideLookups = new List<long>();
        var guideKeys = new List<(int Query, long Position)>();
        var guideWordKeys = new List<(int Query, long Position)>();
        var pixelOffset = 0;
        for (var b = 0; b < examples.Count; b++)
        {
            var example = examples[b];
            var row = rowStarts[b];
            var conversation = example.Conversation;
            for (var i = 0; i < conversation.Ids.Length; i++)
            {
                Ids[row + i] = conversation.Ids[i];
            }

            var scored = 0;
            foreach (var answer in conversation.Answers)
            {
                for (var j = 0; j < answer.Length; j++)
                {
                    predicted.Add(row + answer.Start - 1 + j);
                    targets.Add(conversation.Ids[answer.Start + j]);
                    weights.Add(1f / (answer.Length * conversation.Answers.Count * examples.Count));
                }

                scored += answer.Length;
            }

            foreach (var span in conversation.ImageSpans)
            {
                for (var k = 0; k < span.TokenCount; k++)
                {
                    imagePositions.Add(row + span.Start + k);
                }
            }

            var (kinds, colours, cells, positions) = RegionLabels.For(example.Scene, example.Image, tokensPerSide);
            var exampleImagePositions = imagePositions.Skip(imagePositions.Count - kinds.Length).ToArray();
            var turnStart = 0;
            foreach (var (question, answer) in example.Questions.Zip(conversation.Answers))
            {
                var questionStart = turnStart;
                turnStart = answer.Start + answer.Length;
                if (question.Subject is not { } subject)
                {
                    continue;
                }

                var shown = Enumerable.Range(0, kinds.Length).Where(k => kinds[k] == (int)subject + 1).Select(k => exampleImagePositions[k]).ToList();
                if (shown.Count == 0)
                {
                    continue;
                }

                guideQueries.Add(row + answer.Start - 1);
                guideRows.Add(row);
                guideLookups.Add((long)(positionLookup && question.Kind == QuestionKind.Shape ? GuideLookup.ByPosition : GuideLookup.ByKind));
                foreach (var position in shown)
                {
                    guideKeys.Add((guideQueries.Count - 1, position));
                }

                if (words is not null)
                {
                    var named = NamingWords(question, subject, example.Scene, words);
                    var found = Enumerable.Range(questionStart, answer.Start - questionStart).Where(j => named.Contains(conversation.Ids[j])).ToList();
                    if (found.Count == 0)
                    {
                        throw new InvalidOperationException($"The words that name the shape in \"{question.Text}\" are not among its tokens.");
                    }

                    guideWordKeys.AddRange(found.Select(j => (guideQueries.Count - 1, row + j)));
                }
            }

            regionKinds.AddRange(kinds);
            regionColours.AddRange(colours);
            regionCells.AddRange(cells);
            regionPositions.AddRange(positions);
            example.Image.Pixels.CopyTo(Pixels, pixelOffset);
            pixelOffset += example.Image.Pixels.Length;
            AnswerLengths.Add(scored);
        }

        TileCount = Pixels.Length / tileFloats;
        var imageTokens = TileCount * tokensPerSide * tokensPerSide;
        Pooling = new float[examples.Count * imageTokens];
        Presence = new float[examples.Count * ShapeKinds.All.Count];
        var tokenOffset = 0;
        for (var b = 0; b < examples.Count; b++)
        {
            var count = examples[b].Image.TileCount * tokensPerSide * tokensPerSide;
            Array.Fill(Pooling, 1f / count, (b * imageTokens) + tokenOffset, count);
            tokenOffset += count;
            foreach (var shape in examples[b].Scene.Shapes)
            {
                Presence[(b * ShapeKinds.All.Count) + (int)shape.Kind] = 1;
            }
        }
        ImagePositions = [.. imagePositions];
        RegionKinds = [.. regionKinds];
        RegionColours = [.. regionColours];
        RegionCells = [.. regionCells];
        RegionPositions = [.. regionPositions];
        PredictedPositions = [.. predicted];
        Targets = [.. targets];
        ExampleWeights = [.. weights];
        GuideQueries = [.. guideQueries];
        GuideRowStarts = [.. guideRows];
        GuideLookups = [.. guideLookups];
        GuideKeyQueries = [.. guideKeys.Select(k => (long)k.Query)];
        GuideKeyPositions = [.. guideKeys.Select(k => k.Position)];
        GuideWordKeyQueries = [.. guideWordKeys.Select(k => (long)k.Query)];
        GuideWordKeyPositions = [.. guideWordKeys.Select(k => k.Position)];
        LongestRow = groups.Max(g => g.Length);
    }

    /// <summary>
    /// For each answer about one shape of the scene (<see cref="Questions.SceneQuestion.Subject"/>) that some image token
    /// shows: the position that predicts the answer's first token — where the model must look at that shape.
    /// </summary>
    public long[] GuideQueries { get; }

    /// <summary>Where each guided query's conversation starts in the flattened sequence.</summary>
    public long[] GuideRowStarts { get; }

    /// <summary>How each guided query finds its shape (a <see cref="GuideLookup"/>): which guided head learns it.</summary>
    public long[] GuideLookups { get; }

    /// <summary>The image tokens showing each guided query's shape: (index into <see cref="GuideQueries"/>, position) pairs.</summary>
    public long[] GuideKeyQueries { get; }

    public long[] GuideKeyPositions { get; }

    /// <summary>
    /// The question's tokens that name each guided query's shape — its kind (" star"), or for a question by position
    /// that position's words (" top", " left"): (index into <see cref="GuideQueries"/>, position) pairs; empty when
    /// the batch was built without <see cref="QuestionWords"/>.
    /// </summary>
    public long[] GuideWordKeyQueries { get; }

    public long[] GuideWordKeyPositions { get; }

    /// <summary>The tokens a question names its subject by: the place for a question by position, else the kind.</summary>
    private static HashSet<int> NamingWords(SceneQuestion question, ShapeKind subject, Scene scene, QuestionWords words)
    {
        if (question.Kind != QuestionKind.Shape)
        {
            return [(int)words.Kinds[(int)subject, 1]];
        }

        var place = (int)scene.Shapes.First(shape => shape.Kind == subject).Position;
        return [(int)words.Positions[place, 0], (int)words.Positions[place, 1]];
    }

    /// <summary>The longest padded conversation.</summary>
    public int LongestRow { get; }

    public IReadOnlyList<SceneExample> Examples { get; }

    /// <summary>The padded blocks, in the order of the flattened sequence: rows (examples) × length (tokens) each.</summary>
    public IReadOnlyList<(int Rows, int Length)> Groups { get; }

    /// <summary>Where each example's first token is in the flattened sequence.</summary>
    public long[] RowStarts { get; }

    public int TileSize { get; }

    public int TileCount { get; }

    public long[] Ids { get; }

    public float[] Pixels { get; }

    public long[] ImagePositions { get; }

    public long[] PredictedPositions { get; }

    /// <summary>
    /// Per scored position, 1 / (answer length × answers in the example × examples): each example weighs the same in the
    /// loss, and each of its answers the same whatever its length, so a 25-token caption does not outweigh a one-word colour.
    /// </summary>
    public float[] ExampleWeights { get; }

    /// <summary>Region labels of every image token, in the order of the vision tower's output rows.</summary>
    public long[] RegionKinds { get; }

    public long[] RegionColours { get; }

    public long[] RegionCells { get; }

    /// <summary>Each token's named position in the image, or <see cref="RegionLabels.Unplaced"/> in a grid tile.</summary>
    public long[] RegionPositions { get; }

    /// <summary>[examples, image tokens]: each example's image-token mean as a matrix product.</summary>
    public float[] Pooling { get; }

    /// <summary>[examples, shape kinds]: 1 where the example's scene holds the kind.</summary>
    public float[] Presence { get; }

    public Tensor PoolingTensor() => tensor(Pooling, [Examples.Count, Pooling.Length / Examples.Count]);

    public Tensor PresenceTensor() => tensor(Presence, [Examples.Count, ShapeKinds.All.Count]);

    public long[] Targets { get; }

    /// <summary>Scored tokens per example (all its answers), in order (to split the scored positions back per example).</summary>
    public List<int> AnswerLengths { get; } = [];

    public Tensor IdsTensor() => tensor(Ids, [Ids.Length]);

    /// <summary>
    /// One block padded to the longest conversation, or two — the shorter ones and the longer ones — when that pads at
    /// least a tenth fewer tokens. Returns the blocks and each example's block.
    /// </summary>
    internal static (List<(int Rows, int Length)> Groups, int[] GroupOf) LengthGroups(IReadOnlyList<int> lengths)
    {
        var sorted = lengths.Order().ToArray();
        var n = sorted.Length;
        var longest = sorted[^1];
        var (bestShort, bestTokens) = (0, (long)n * longest);
        for (var k = 1; k < n; k++)
        {
            var tokens = ((long)k * sorted[k - 1]) + ((long)(n - k) * longest);
            if (tokens < bestTokens)
            {
                (bestShort, bestTokens) = (k, tokens);
            }
        }

        if (bestShort == 0 || bestTokens > 0.9 * n * longest)
        {
            return ([(n, longest)], new int[n]);
        }

        var limit = sorted[bestShort - 1];
        var groupOf = Enumerable.Repeat(1, n).ToArray();
        foreach (var i in Enumerable.Range(0, n).OrderBy(i => lengths[i]).Take(bestShort))
        {
            groupOf[i] = 0;
        }

        return ([(bestShort, limit), (n - bestShort, longest)], groupOf);
    }

    public Tensor PixelsTensor() => tensor(Pixels, [TileCount, 3, TileSize, TileSize]);
}
