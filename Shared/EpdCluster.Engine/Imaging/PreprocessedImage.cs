namespace EpdCluster.Engine.Imaging;

/// <summary>
/// An image ready for the vision tower: <see cref="TileCount"/> tiles of 3 × TileSize × TileSize floats
/// (channel-first, CLIP-normalized), grid tiles in row-major order, then the thumbnail tile if any.
/// </summary>
/// <param name="Pixels">Length TileCount × 3 × TileSize × TileSize.</param>
/// <param name="PreprocessId">Identifies the preprocessing parameters (tile size, max tiles, thumbnail, normalization) so cache keys change when they do.</param>
public sealed record PreprocessedImage(
    int SourceWidth,
    int SourceHeight,
    TileGrid Grid,
    bool HasThumbnail,
    int TileSize,
    float[] Pixels,
    string PreprocessId)
{
    public int TileCount => Grid.TileCount + (HasThumbnail ? 1 : 0);
}
