using EpdCluster.Engine.Text;
using EpdCluster.Training.Data;
using EpdCluster.Training.Scenes;
using static TorchSharp.torch;

namespace EpdCluster.Training.Training;

/// <summary>
/// Examples packed for one forward pass: each example's conversation (prompt + answer, then any follow-up turns)
/// right-padded to the longest ([B, T]); every tile of every image stacked ([tiles, 3, S, S]); where image embeddings go
/// in the flattened [B·T] sequence; and the positions whose next-token prediction is scored (for each answer, the token
/// before it and every answer token but the last) with their targets.
/// Causal attention means padding after a sequence never changes its earlier positions.
/// </summary>
internal sealed class SceneBatch
{
    /// <param name="tokensPerSide">Image tokens per tile side (epd-tiny: 4), for the region labels.</param>
    public SceneBatch(IReadOnlyList<SceneExample> examples, int tokensPerSide)
    {
        ArgumentOutOfRangeException.ThrowIfZero(examples.Count);
        Examples = examples;
        Length = examples.Max(e => e.Conversation.Ids.Length);
        var tileFloats = examples[0].Image.Pixels.Length / examples[0].Image.TileCount;
        TileSize = examples[0].Image.TileSize;

        Ids = new long[examples.Count * Length];
        Array.Fill(Ids, EpdTokenizer.EndOfTextId);
        Pixels = new float[examples.Sum(e => e.Image.Pixels.Length)];
        var imagePositions = new List<long>();
        var regionKinds = new List<long>();
        var regionColours = new List<long>();
        var regionCells = new List<long>();
        var predicted = new List<long>();
        var targets = new List<long>();
        var weights = new List<float>();
        var pixelOffset = 0;
        for (var b = 0; b < examples.Count; b++)
        {
            var example = examples[b];
            var row = (long)b * Length;
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

            var (kinds, colours, cells) = RegionLabels.For(example.Scene, example.Image, tokensPerSide);
            regionKinds.AddRange(kinds);
            regionColours.AddRange(colours);
            regionCells.AddRange(cells);
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
        PredictedPositions = [.. predicted];
        Targets = [.. targets];
        ExampleWeights = [.. weights];
    }

    public IReadOnlyList<SceneExample> Examples { get; }

    public int Length { get; }

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

    /// <summary>[examples, image tokens]: each example's image-token mean as a matrix product.</summary>
    public float[] Pooling { get; }

    /// <summary>[examples, shape kinds]: 1 where the example's scene holds the kind.</summary>
    public float[] Presence { get; }

    public Tensor PoolingTensor() => tensor(Pooling, [Examples.Count, Pooling.Length / Examples.Count]);

    public Tensor PresenceTensor() => tensor(Presence, [Examples.Count, ShapeKinds.All.Count]);

    public long[] Targets { get; }

    /// <summary>Scored tokens per example (all its answers), in order (to split the scored positions back per example).</summary>
    public List<int> AnswerLengths { get; } = [];

    public Tensor IdsTensor() => tensor(Ids, [Examples.Count * Length]);

    public Tensor PixelsTensor() => tensor(Pixels, [TileCount, 3, TileSize, TileSize]);
}
