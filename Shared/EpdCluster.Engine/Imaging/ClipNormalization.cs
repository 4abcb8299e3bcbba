namespace EpdCluster.Engine.Imaging;

/// <summary>
/// Per-channel mean and standard deviation of OpenAI CLIP's training images (openai/CLIP <c>clip.py</c>
/// <c>_transform</c>), which CLIP-derived vision towers expect: value = (byte / 255 − mean) / std.
/// </summary>
internal static class ClipNormalization
{
    public const double MeanRed = 0.48145466f;
    public const double MeanGreen = 0.4578275f;
    public const double MeanBlue = 0.40821073f;
    public const double StdRed = 0.26862954f;
    public const double StdGreen = 0.26130258f;
    public const double StdBlue = 0.27577711f;

    private const int ByteLevels = 256;
    private const double ByteMax = 255.0;

    /// <summary>Normalized value of every byte for red, green and blue; read-only after start-up, so safe to share across threads.</summary>
    public static readonly float[] Red = BuildLookup(MeanRed, StdRed);
    public static readonly float[] Green = BuildLookup(MeanGreen, StdGreen);
    public static readonly float[] Blue = BuildLookup(MeanBlue, StdBlue);

    private static float[] BuildLookup(double mean, double std)
    {
        var table = new float[ByteLevels];
        for (var value = 0; value < ByteLevels; value++)
        {
            table[value] = (float)(((value / ByteMax) - mean) / std);
        }

        return table;
    }
}
