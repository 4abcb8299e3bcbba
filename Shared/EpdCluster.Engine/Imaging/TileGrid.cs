namespace EpdCluster.Engine.Imaging;

/// <summary>How an image is cut into tiles: <see cref="Columns"/> × <see cref="Rows"/> tiles of the tile size.</summary>
public readonly record struct TileGrid(int Columns, int Rows)
{
    public int TileCount => Columns * Rows;
}
