namespace EpdCluster.Engine.Serving;

/// <summary>The encode side of a worker's engine: image tiles in, image embeddings out, batched across requests.</summary>
public interface ITileEncoder
{
    /// <summary>Tiles encoded since start.</summary>
    long EncodedTiles { get; }

    /// <summary>Tiles waiting to be encoded.</summary>
    int QueuedTiles { get; }

    /// <summary>Encode calls waiting (each one image's or one part's tiles).</summary>
    int QueuedJobs { get; }

    /// <summary>
    /// Encodes <paramref name="tileCount"/> tiles (channel-first, normalized; tileCount × 3 × size × size floats)
    /// into image embeddings: tileCount × tokensPerTile rows of the LLM width, row-major.
    /// </summary>
    Task<float[]> EncodeTilesAsync(float[] pixels, int tileCount, CancellationToken cancellationToken = default);
}
