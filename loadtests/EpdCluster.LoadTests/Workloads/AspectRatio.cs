using System.Globalization;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>An image aspect ratio W:H; the short side comes from its own distribution.</summary>
internal readonly record struct AspectRatio(int Width, int Height)
{
    /// <summary>Pixel size with the given short side: landscape ratios widen, portrait ones grow taller.</summary>
    public (int Width, int Height) SizeFor(int shortSide) => Width >= Height
        ? ((int)Math.Round(shortSide * (double)Width / Height), shortSide)
        : (shortSide, (int)Math.Round(shortSide * (double)Height / Width));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Width}:{Height}");

    public static AspectRatio Parse(string text, string option)
    {
        var parts = text.Split(':');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var w)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var h)
            && w > 0 && h > 0)
        {
            return new AspectRatio(w, h);
        }

        throw new LoadOptionsException($"{option}: '{text}' is not an aspect ratio such as 4:3.");
    }
}
