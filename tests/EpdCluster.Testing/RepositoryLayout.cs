using System.Reflection;

namespace EpdCluster.Testing;

/// <summary>Where the repository and its build outputs are, seen from a test assembly.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding EpdCluster.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The build configuration these tests were built with (the launcher runs the same outputs).</summary>
    public static string BuildConfiguration { get; } =
        typeof(RepositoryLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BuildConfiguration").Value!;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EpdCluster.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"EpdCluster.sln not found above {AppContext.BaseDirectory}.");
    }
}
