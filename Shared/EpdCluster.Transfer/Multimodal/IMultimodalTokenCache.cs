namespace EpdCluster.Transfer.Multimodal;

/// <summary>
/// Encoder output, content-addressed by (model id, image hash), stored per tile so that several encoders can fill
/// one image's tiles concurrently and a later request re-encodes only the tiles that are missing. Values are
/// checksummed; a damaged one counts as a miss and is removed, never returned.
/// </summary>
public interface IMultimodalTokenCache
{
    /// <summary>Hit, miss and damage counts of <see cref="GetImageAsync"/> since this instance was created.</summary>
    MultimodalCacheCounters Counters { get; }

    /// <summary>Stores tile <paramref name="tileIndex"/>'s embedding rows (<paramref name="tokens"/> × <paramref name="width"/> floats, row-major) and refreshes the image's TTL.</summary>
    Task PutTileAsync(string modelId, string imageHash, int tileIndex, int tokens, int width, ReadOnlyMemory<float> embeddings, CancellationToken cancellationToken = default);

    /// <summary>Which of tiles 0..<paramref name="tileCount"/>−1 are stored (element i is tile i). Does not count hits or misses.</summary>
    Task<bool[]> GetPresentTilesAsync(string modelId, string imageHash, int tileCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// All <paramref name="tileCount"/> tiles' rows concatenated in tile order (tile 0's tokens × width floats, then
    /// tile 1's, …), or null when any tile is missing or damaged. A hit refreshes the image's TTL.
    /// </summary>
    Task<float[]?> GetImageAsync(string modelId, string imageHash, int tileCount, CancellationToken cancellationToken = default);
}
