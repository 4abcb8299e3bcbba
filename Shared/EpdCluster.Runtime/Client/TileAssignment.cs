namespace EpdCluster.Runtime.Client;

/// <summary>
/// Which encoder each missing tile of a request goes to: one at a time to the encoder with the fewest tiles waiting,
/// counting those just given (water-filling). Idle encoders share one image's tiles round-robin (intra-request
/// parallelism); an encoder with a backlog gets nothing until the others catch up with it — so workers moved to encode
/// take the new work instead of every request waiting behind the backlog.
/// </summary>
internal static class TileAssignment
{
    /// <summary>The encoder index of each of <paramref name="tiles"/> tiles, given each encoder's waiting tiles; ties go to the lower index.</summary>
    public static int[] Assign(IReadOnlyList<int> waitingTiles, int tiles)
    {
        ArgumentOutOfRangeException.ThrowIfZero(waitingTiles.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(tiles);
        var load = waitingTiles.Select(w => (long)Math.Max(0, w)).ToArray();
        var assigned = new int[tiles];
        for (var tile = 0; tile < tiles; tile++)
        {
            var best = 0;
            for (var encoder = 1; encoder < load.Length; encoder++)
            {
                if (load[encoder] < load[best])
                {
                    best = encoder;
                }
            }

            assigned[tile] = best;
            load[best]++;
        }

        return assigned;
    }
}
