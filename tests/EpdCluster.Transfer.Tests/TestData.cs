namespace EpdCluster.Transfer.Tests;

internal static class TestData
{
    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Floats with magnitudes in [0.01, 8), random sign: the range of activations, away from fp16's subnormals.</summary>
    public static float[] Floats(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            var magnitude = 0.01f + (random.NextSingle() * 7.99f);
            values[i] = random.Next(2) == 0 ? magnitude : -magnitude;
        }

        return values;
    }

    /// <summary>Largest |actual − expected| / |expected| over the pair.</summary>
    public static double MaxRelativeError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / Math.Abs(expected[i]));
        }

        return worst;
    }
}
