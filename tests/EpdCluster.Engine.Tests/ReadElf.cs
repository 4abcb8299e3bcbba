using System.Diagnostics;
using System.Text.RegularExpressions;

namespace EpdCluster.Engine.Tests;

/// <summary>Reads ELF version needs with binutils' readelf: an independent check of the build's patch step.</summary>
internal static partial class ReadElf
{
    /// <summary>The flags readelf prints for the version need <paramref name="version"/> ("none", "WEAK", ...).</summary>
    public static string VersionNeedFlags(string library, string version)
    {
        var start = new ProcessStartInfo("readelf", ["-V", "-W", library]) { RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("readelf could not start");
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var match = NeedLine().Matches(text).FirstOrDefault(m => m.Groups["name"].Value == version)
            ?? throw new InvalidOperationException($"{library} declares no need for {version}");
        return match.Groups["flags"].Value;
    }

    [GeneratedRegex(@"Name: (?<name>\S+)\s+Flags: (?<flags>\S+)")]
    private static partial Regex NeedLine();
}
