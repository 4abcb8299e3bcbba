namespace EpdCluster.LoadTests.Tests;

/// <summary>
/// Tests that compare measured latencies with scripted ones run alone: on a 2-core machine another test class running
/// beside them delays the client's reads by several milliseconds.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing";
}
