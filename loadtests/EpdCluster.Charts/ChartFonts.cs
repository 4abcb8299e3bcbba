namespace EpdCluster.Charts;

/// <summary>
/// Gives ScottPlot a font it can draw with. The Skia native build used here has no fontconfig, so system fonts cannot be
/// found by name; a TTF file is registered directly instead (Debian's fonts-dejavu-core by default).
/// </summary>
public static class ChartFonts
{
    private const string FamilyName = "epd-chart";

    /// <summary>Regular faces tried in order; a bold face is looked for beside each with the usual "-Bold" suffix.</summary>
    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    ];

    private static readonly Lock Gate = new();
    private static string? _registered;

    /// <summary>Registers <paramref name="fontPath"/> (or the first candidate found) once; returns the file used, or null when there is none.</summary>
    public static string? Register(string? fontPath)
    {
        lock (Gate)
        {
            if (_registered is not null)
            {
                return _registered;
            }

            var regular = fontPath ?? Candidates.FirstOrDefault(File.Exists);
            if (regular is null)
            {
                return null;
            }

            var bold = Path.Combine(Path.GetDirectoryName(regular)!, Path.GetFileNameWithoutExtension(regular).Replace("-Regular", "") + "-Bold.ttf");
            ScottPlot.Fonts.AddFontFile(FamilyName, regular, bold: false, italic: false);
            ScottPlot.Fonts.AddFontFile(FamilyName, File.Exists(bold) ? bold : regular, bold: true, italic: false);
            ScottPlot.Fonts.Default = FamilyName;
            _registered = regular;
            return regular;
        }
    }
}
