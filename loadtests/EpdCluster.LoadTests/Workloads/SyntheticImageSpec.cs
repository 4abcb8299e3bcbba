namespace EpdCluster.LoadTests.Workloads;

/// <summary>Everything that decides a synthetic image's bytes: equal specs render byte-identical images.</summary>
internal readonly record struct SyntheticImageSpec(int Seed, int Width, int Height, ImageFormat Format);
