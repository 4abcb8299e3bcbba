namespace EpdCluster.LoadTests.Arrivals;

internal static class RandomExtensions
{
    /// <summary>A standard normal draw (Box–Muller); deterministic for a seeded <see cref="Random"/>.</summary>
    public static double NextStandardNormal(this Random random)
    {
        var u1 = 1.0 - random.NextDouble(); // in (0, 1], so the logarithm is finite
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
