namespace EpdCluster.Transfer.Multimodal;

/// <summary>Staged tile pixels are gone (expired or never written), or damaged and dropped.</summary>
public sealed class TilePixelsMissingException(string imageHash, IReadOnlyList<int> missingTiles, string? detail = null)
    : Exception($"Tile pixels of image {imageHash} are not staged: tiles [{string.Join(", ", missingTiles)}] are missing{(detail is null ? "" : $" ({detail})")}.")
{
    public string ImageHash { get; } = imageHash;

    public IReadOnlyList<int> MissingTiles { get; } = missingTiles;
}
