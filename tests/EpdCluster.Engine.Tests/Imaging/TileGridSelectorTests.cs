using EpdCluster.Engine.Imaging;

namespace EpdCluster.Engine.Tests.Imaging;

public sealed class TileGridSelectorTests
{
    // Worked by hand with tile side T = 224 (T² = 50176). Candidates for max 6, in visiting order, with
    // columns/rows: 1×1 (1), 1×2 (0.5), 2×1 (2), 1×3 (.333), 3×1 (3), 1×4 (.25), 2×2 (1), 4×1 (4),
    // 1×5 (.2), 5×1 (5), 1×6 (.167), 2×3 (.667), 3×2 (1.5), 6×1 (6). A tie goes to the later
    // candidate only when width × height > 0.5 × T² × tiles (2 tiles: 50176, 4 tiles: 100352).
    [Theory]
    [InlineData(224, 224, 6, 1, 1)]   // ratio 1: 1×1 exact; tie with 2×2 but 50176 ≤ 100352
    [InlineData(448, 224, 6, 2, 1)]   // ratio 2: 2×1 exact, no later candidate has ratio 2
    [InlineData(224, 448, 6, 1, 2)]   // ratio 0.5: 1×2 exact
    [InlineData(1000, 300, 6, 3, 1)]  // ratio 3.33: 3×1 is 0.33 away, 4×1 is 0.67 away
    [InlineData(672, 448, 6, 3, 2)]   // ratio 1.5: 1×1, 2×1, 2×2 all 0.5 away (ties taken, area is large), then 3×2 exact
    [InlineData(10, 10, 6, 1, 1)]     // tiny square: 1×1; 100 ≤ 100352, so no 2×2
    [InlineData(5000, 100, 6, 6, 1)]  // ratio 50: the widest grid, 6×1
    [InlineData(100, 5000, 6, 1, 6)]  // ratio 0.02: the tallest grid, 1×6
    [InlineData(448, 448, 6, 2, 2)]   // ratio 1 tie with 2×2: 200704 > 100352, take 2×2
    [InlineData(316, 316, 6, 1, 1)]   // 99856 ≤ 100352: stays 1×1
    [InlineData(317, 317, 6, 2, 2)]   // 100489 > 100352: 2×2
    [InlineData(800, 600, 6, 3, 2)]   // ratio 1.33: 1.5 (3×2) is 0.17 away, 1 is 0.33, 2 is 0.67
    [InlineData(1920, 1080, 6, 2, 1)] // ratio 1.78: 2 is 0.22 away, 1.5 is 0.28
    [InlineData(1920, 1080, 12, 4, 2)] // max 12 adds 4×2 (ratio 2, tie with 2×1): 2073600 > 200704, take 4×2
    [InlineData(5000, 100, 1, 1, 1)]  // max 1: only 1×1 exists
    [InlineData(336, 224, 2, 2, 1)]   // ratio 1.5, max 2: 1×1 and 2×1 both 0.5 away; 75264 > 50176, take 2×1
    [InlineData(3, 2, 2, 1, 1)]       // same ratio, tiny: 6 ≤ 50176, keep 1×1
    [InlineData(300, 200, 6, 3, 2)]   // ratio 1.5: ties to 2×1 (60000 > 50176) not 2×2 (≤ 100352), then 3×2 exact
    public void Chooses_the_grid_closest_to_the_aspect_ratio_with_InternVL_tie_rule(int width, int height, int maxTiles, int columns, int rows)
    {
        Assert.Equal(new TileGrid(columns, rows), TileGridSelector.Choose(width, height, maxTiles));
    }

    [Fact]
    public void Tie_threshold_scales_with_the_tile_size()
    {
        // T = 448: 2×2 needs area > 0.5 × 448² × 4 = 401408; 448² = 200704 is not enough, 700² = 490000 is.
        Assert.Equal(new TileGrid(1, 1), TileGridSelector.Choose(448, 448, 6, tileSize: 448));
        Assert.Equal(new TileGrid(2, 2), TileGridSelector.Choose(700, 700, 6, tileSize: 448));
    }

    [Fact]
    public void Never_exceeds_max_tiles_for_any_shape()
    {
        for (var maxTiles = 1; maxTiles <= 12; maxTiles++)
        {
            foreach (var (width, height) in new[] { (1, 1), (13, 7000), (7000, 13), (640, 480), (4000, 4000), (999, 1001) })
            {
                var grid = TileGridSelector.Choose(width, height, maxTiles);
                Assert.InRange(grid.TileCount, 1, maxTiles);
            }
        }
    }

    [Theory]
    [InlineData(0, 10, 6)]
    [InlineData(10, 0, 6)]
    [InlineData(10, 10, 0)]
    public void Rejects_non_positive_arguments(int width, int height, int maxTiles)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TileGridSelector.Choose(width, height, maxTiles));
    }
}
