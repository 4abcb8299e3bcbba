namespace EpdCluster.Engine.Imaging;

/// <summary>
/// InternVL's dynamic-preprocess grid choice (<c>find_closest_aspect_ratio</c>). Candidates are every
/// (columns, rows) with 1 ≤ columns × rows ≤ maxTiles, visited by tile count, then by columns (InternVL sorts
/// a Python set by tile count only; fixing the order within a count makes the choice deterministic). The
/// candidate whose columns / rows is closest to width / height wins. On an exact tie, a later (so never
/// smaller) candidate replaces the current best only when the image area exceeds half the tiles' total
/// area, tileSize² × columns × rows × 0.5: an image big enough to fill the extra tiles gets them, a small
/// image is not blown up to more tiles of the same shape.
/// </summary>
public static class TileGridSelector
{
    /// <summary>The share of the candidate grid's pixel area the image must exceed to win a tie (InternVL: 0.5).</summary>
    private const double TieAreaFraction = 0.5;

    public static TileGrid Choose(int width, int height, int maxTiles, int tileSize = ImagePreprocessOptions.DefaultTileSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTiles, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 1);

        var aspectRatio = (double)width / height;
        var area = (double)width * height;
        var tileArea = (double)tileSize * tileSize;
        var best = new TileGrid(1, 1);
        var bestDifference = double.PositiveInfinity;
        for (var tileCount = 1; tileCount <= maxTiles; tileCount++)
        {
            for (var columns = 1; columns <= tileCount; columns++)
            {
                if (tileCount % columns != 0)
                {
                    continue;
                }

                var rows = tileCount / columns;
                var difference = Math.Abs(aspectRatio - ((double)columns / rows));
                if (difference < bestDifference)
                {
                    bestDifference = difference;
                    best = new TileGrid(columns, rows);
                }
                else if (difference == bestDifference && area > TieAreaFraction * tileArea * tileCount)
                {
                    best = new TileGrid(columns, rows);
                }
            }
        }

        return best;
    }
}
