namespace EpdCluster.Engine.Imaging;

/// <summary>How images are checked, decoded and cut into vision-tower tiles. Section <c>Epd:Imaging</c>.</summary>
public sealed class ImagePreprocessOptions
{
    public const string SectionName = "Epd:Imaging";

    /// <summary>epd-tiny's ViT input side.</summary>
    public const int DefaultTileSize = 224;

    /// <summary>InternVL's default <c>max_num</c> for dynamic tiling at inference.</summary>
    public const int DefaultMaxTiles = 6;

    /// <summary>OpenAI's per-image upload limit (20 MiB).</summary>
    public const long DefaultMaxImageBytes = 20L * 1024 * 1024;

    /// <summary>8K UHD (7680 × 4320): larger photos are refused before their pixels are allocated.</summary>
    public const long DefaultMaxPixels = 7680L * 4320;

    /// <summary>Largest accepted <see cref="MaxTiles"/>: InternVL's biggest inference setting is 40; 64 leaves headroom while bounding the grid search and the output size.</summary>
    public const int MaxTilesLimit = 64;

    /// <summary>Largest accepted <see cref="TileSize"/>: above every ViT input in use (224–518), and keeps (64 + 1) × 3 × side² floats inside one array.</summary>
    public const int TileSizeLimit = 1024;

    /// <summary>Side of a square tile in pixels; must match the vision tower's input (default 224, epd-tiny's ViT).</summary>
    public int TileSize { get; set; } = DefaultTileSize;

    /// <summary>Most grid tiles per image, thumbnail not counted (default 6, InternVL's default).</summary>
    public int MaxTiles { get; set; } = DefaultMaxTiles;

    /// <summary>Append a whole-image thumbnail tile when the grid has more than one tile (default true, as InternVL).</summary>
    public bool UseThumbnail { get; set; } = true;

    /// <summary>Largest encoded image accepted, in bytes (default 20 MiB, OpenAI's limit).</summary>
    public long MaxImageBytes { get; set; } = DefaultMaxImageBytes;

    /// <summary>Largest width × height accepted, read from the header before decoding (default 7680 × 4320, 8K UHD).</summary>
    public long MaxPixels { get; set; } = DefaultMaxPixels;

    /// <summary>Smallest accepted width and height in pixels (default 1: any non-empty image).</summary>
    public int MinSide { get; set; } = 1;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (TileSize is < 1 or > TileSizeLimit)
        {
            throw new InvalidOperationException($"{SectionName}:TileSize must be between 1 and {TileSizeLimit} pixels, not {TileSize}.");
        }

        if (MaxTiles is < 1 or > MaxTilesLimit)
        {
            throw new InvalidOperationException($"{SectionName}:MaxTiles must be between 1 and {MaxTilesLimit}, not {MaxTiles}.");
        }

        if (MaxImageBytes < 1)
        {
            throw new InvalidOperationException($"{SectionName}:MaxImageBytes must be positive, not {MaxImageBytes}.");
        }

        if (MaxPixels < 1)
        {
            throw new InvalidOperationException($"{SectionName}:MaxPixels must be positive, not {MaxPixels}.");
        }

        if (MinSide < 1)
        {
            throw new InvalidOperationException($"{SectionName}:MinSide must be at least 1 pixel, not {MinSide}.");
        }
    }
}
