using System.Globalization;

namespace EpdCluster.Bench;

/// <summary>Prints one <c>name: value</c> line per figure, as the benchmark contract asks.</summary>
internal static class BenchReport
{
    public static void Figure(string name, double value, string? note = null)
    {
        var text = value.ToString(value >= 100 ? "F1" : "F3", CultureInfo.InvariantCulture);
        Console.WriteLine(note is null ? $"{name}: {text}" : $"{name}: {text}    # {note}");
    }

    public static void Progress(string message) => Console.Error.WriteLine($"[bench] {message}");
}
