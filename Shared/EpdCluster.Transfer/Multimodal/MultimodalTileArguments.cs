namespace EpdCluster.Transfer.Multimodal;

/// <summary>Argument checks both cache implementations share, so they fail the same way.</summary>
internal static class MultimodalTileArguments
{
    public static void CheckImage(string modelId, string imageHash)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentException.ThrowIfNullOrWhiteSpace(imageHash);
    }

    public static void CheckTileCount(int tileCount) => ArgumentOutOfRangeException.ThrowIfLessThan(tileCount, 1);

    public static void CheckTile(int tileIndex, int tokens, int width, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tileIndex);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if ((long)tokens * width != length)
        {
            throw new ArgumentException($"A tile of {tokens} tokens × {width} wide needs {(long)tokens * width} floats, not {length}.", "embeddings");
        }
    }
}
