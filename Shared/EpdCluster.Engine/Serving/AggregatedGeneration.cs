using System.Runtime.CompilerServices;
using EpdCluster.Engine.Imaging;
using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Serving;

/// <summary>Encode → prefill → decode of one request on one worker engine (the all-in-one path and the reference).</summary>
internal static class AggregatedGeneration
{
    public static async IAsyncEnumerable<GeneratedToken> GenerateAsync(
        IWorkerEngine engine,
        long requestId,
        PromptTokens prompt,
        IReadOnlyList<PreprocessedImage> images,
        SamplingParams sampling,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var tokensPerTile = engine.Config.TokensPerTile;
        var promptImages = new List<PromptImage>(prompt.ImageSpans.Count);
        foreach (var span in prompt.ImageSpans)
        {
            if ((uint)span.ImageIndex >= (uint)images.Count)
            {
                throw new ArgumentException($"The prompt refers to image {span.ImageIndex}, but {images.Count} image(s) were given.");
            }

            var image = images[span.ImageIndex];
            if (span.TokenCount != image.TileCount * tokensPerTile)
            {
                throw new ArgumentException($"Image {span.ImageIndex} has {image.TileCount} tiles ({image.TileCount * tokensPerTile} tokens), but its prompt span holds {span.TokenCount}.");
            }

            var embeddings = await engine.Encoder.EncodeTilesAsync(image.Pixels, image.TileCount, cancellationToken);
            promptImages.Add(new PromptImage(span.Start, span.TokenCount, embeddings));
        }

        var llm = engine.Llm;
        var stream = llm.Submit(new GenerationRequest(requestId, prompt.Ids, promptImages, sampling));
        using var abort = cancellationToken.Register(() => llm.Abort(requestId));
        await foreach (var token in stream.ReadAllAsync(CancellationToken.None))
        {
            yield return token;
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
