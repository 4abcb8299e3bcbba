namespace EpdCluster.Abstractions.Workers;

/// <summary>Encode these tiles of an image (their pixels are staged under the image hash) into the token cache.</summary>
[GenerateSerializer, Immutable, Alias("epd.EncodeTilesCommand")]
public sealed record EncodeTilesCommand(
    [property: Id(0)] string ImageHash,
    [property: Id(1)] int TileCount,
    [property: Id(2)] IReadOnlyList<int> TileIndexes);
