namespace EpdCluster.Engine.Kv;

/// <summary>
/// Which prompt positions serve as probe queries for attention saliency (ZipCache): the last
/// <see cref="RecentFraction"/> of the prompt plus a random <see cref="RandomFraction"/> of the positions before it.
/// Their queries are captured while the prompt is prefilled, so saliency costs no second forward pass.
/// </summary>
/// <param name="RecentFraction">Share of the prompt's last positions used as probes (ZipCache: 5 %).</param>
/// <param name="RandomFraction">Share of the prompt drawn at random from the earlier positions (ZipCache: 5 %).</param>
public sealed record KvProbeSettings(double RecentFraction, double RandomFraction)
{
    public void Validate()
    {
        if (RecentFraction is <= 0 or > 1 || RandomFraction is < 0 or > 1)
        {
            throw new ArgumentException($"Probe fractions must be in (0, 1] (recent) and [0, 1] (random), not {RecentFraction} and {RandomFraction}.");
        }
    }

    /// <summary>Sorted, distinct probe positions of a <paramref name="promptLength"/>-token prompt; always includes the last position.</summary>
    public int[] Positions(int promptLength, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(promptLength, 1);
        var recent = Math.Clamp((int)Math.Ceiling(RecentFraction * promptLength), 1, promptLength);
        var earlier = promptLength - recent;
        var random = Math.Min(earlier, (int)Math.Round(RandomFraction * promptLength));
        var candidates = Enumerable.Range(0, earlier).ToArray();
        new Random(unchecked((int)(seed ^ (seed >> 32)))).Shuffle(candidates);
        return [.. candidates.Take(random).Concat(Enumerable.Range(earlier, recent)).Order()];
    }
}
