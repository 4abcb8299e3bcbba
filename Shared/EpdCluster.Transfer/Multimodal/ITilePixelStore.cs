namespace EpdCluster.Transfer.Multimodal;

/// <summary>
/// Staging for an image's preprocessed tile pixels between the gateway and the encoders, so each encoder fetches only
/// the tiles assigned to it. Short-lived: entries expire after <see cref="TransferOptions.PixelTtl"/>.
/// </summary>
public interface ITilePixelStore
{
    /// <summary>
    /// Stores <paramref name="tileCount"/> equal-sized tiles laid end to end in <paramref name="pixels"/> (as
    /// <c>PreprocessedImage.Pixels</c>: tile i is the i-th slice of pixels.Length / tileCount floats), replacing any earlier ones.
    /// </summary>
    Task PutAsync(string imageHash, ReadOnlyMemory<float> pixels, int tileCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// The pixels of each requested tile, in request order. Throws <see cref="TilePixelsMissingException"/> when any is
    /// missing (expired, never staged): an encoder cannot do part of a tile, and the gateway must stage it again.
    /// </summary>
    Task<float[][]> GetTilesAsync(string imageHash, IReadOnlyList<int> tileIndices, CancellationToken cancellationToken = default);
}
