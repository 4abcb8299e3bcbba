namespace EpdCluster.LoadTests.Workloads;

/// <summary>
/// Derives independent seeds from (seed, key, stream) with SplitMix64's finalizer. Unlike <see cref="HashCode"/>,
/// which is randomized per process, the result is the same in every run, so a seed reproduces the same requests.
/// </summary>
internal static class SeedMixer
{
    /// <summary>Streams keep derived seeds apart when the same key is used for different purposes.</summary>
    public const int TraceBlockStream = 1;
    public const int TraceFillerStream = 2;
    public const int ArrivalStream = 3;
    public const int WorkloadStream = 4;

    public static int Mix(int seed, long key, int stream)
    {
        unchecked
        {
            var z = ((ulong)(uint)seed << 32) ^ (ulong)key ^ ((ulong)stream * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z ^ (z >> 32));
        }
    }
}
