namespace EpdCluster.Transfer.Multimodal;

/// <summary>Argument checks both pixel stores share.</summary>
internal static class TilePixelArguments
{
    /// <summary>Floats per tile, after checking the image hash and that the pixels split evenly into tiles.</summary>
    public static int CheckPut(string imageHash, int pixelCount, int tileCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imageHash);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileCount, 1);
        if (pixelCount == 0 || pixelCount % tileCount != 0)
        {
            throw new ArgumentException($"{pixelCount} floats do not split into {tileCount} equal non-empty tiles.", "pixels");
        }

        return pixelCount / tileCount;
    }

    public static void CheckGet(string imageHash, IReadOnlyList<int> tileIndices)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imageHash);
        ArgumentNullException.ThrowIfNull(tileIndices);
        foreach (var index in tileIndices)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index, nameof(tileIndices));
        }
    }
}
