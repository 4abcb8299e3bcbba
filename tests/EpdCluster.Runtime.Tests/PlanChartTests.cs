using System.Buffers.Binary;
using System.Diagnostics;
using EpdCluster.Planner;
using EpdCluster.Simulation.Planning;
using EpdCluster.Simulation.Simulation;
using EpdCluster.Simulation.Workloads;
using EpdCluster.Testing;

namespace EpdCluster.Runtime.Tests;

/// <summary>The planner's chart: a valid PNG of the expected size, drawn by <c>epd-plan --output</c> beside its Markdown.</summary>
public sealed class PlanChartTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _directory = Directory.CreateTempSubdirectory("epd-plan-chart-").FullName;

    [Fact]
    public void The_chart_is_a_png_of_the_expected_size_and_grows_with_the_layouts()
    {
        var few = Rows(3);
        var many = Rows(60);
        var fewPath = Path.Combine(_directory, "few.png");
        var manyPath = Path.Combine(_directory, "many.png");

        PlanChart.Write(few, new Slo(1.5, 0.1), 5, fewPath);
        PlanChart.Write(many, new Slo(1.5, 0.1), 12, manyPath);

        Assert.Equal((900, PlanChart.HeightPixels), PngSize(fewPath));
        Assert.Equal((160 + (24 * 60), PlanChart.HeightPixels), PngSize(manyPath));
    }

    [Fact]
    public async Task Epd_plan_with_an_output_file_writes_the_chart_beside_it()
    {
        var markdown = Path.Combine(_directory, "plan.md");
        var planner = Path.Combine(RepositoryLayout.Root, "loadtests", "EpdCluster.Planner", "bin", RepositoryLayout.BuildConfiguration, "net10.0", "epd-plan.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { planner, "--profile", Path.Combine(RepositoryLayout.Root, "loadtests", "profiles", "synthetic-linear.json"),
                "--workload", Path.Combine(RepositoryLayout.Root, "loadtests", "workloads", "one-image.json"), "--workers", "4", "--requests", "40", "--output", markdown },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, error);
        var chart = Path.Combine(_directory, "plan.png");
        Assert.Contains($"Chart: {chart}", output);
        Assert.True(File.Exists(markdown));
        // Four workers: three splits (E2 P1 D1, E1 P2 D1, E1 P1 D2) and the aggregated layout.
        Assert.Equal((PlanChart.WidthPixels(4), PlanChart.HeightPixels), PngSize(chart));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static List<PlanRow> Rows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new PlanRow(i == count - 1 ? ClusterLayout.AllAggregated(8) : ClusterLayout.Split(1 + (i % 5), 1, 1), count - i, 0.5, 0.02, 0.95))];

    /// <summary>Checks the signature and the IHDR chunk, and returns the image's width and height.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} holds {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        Assert.Equal("IEND"u8.ToArray(), bytes[^8..^4]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
