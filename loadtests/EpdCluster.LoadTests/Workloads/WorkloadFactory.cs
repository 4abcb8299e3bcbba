namespace EpdCluster.LoadTests.Workloads;

internal static class WorkloadFactory
{
    /// <summary>The workload <paramref name="options"/> describe, seeded from the run seed.</summary>
    public static IWorkload Create(WorkloadOptions options, int seed)
    {
        var workloadSeed = SeedMixer.Mix(seed, 0, SeedMixer.WorkloadStream);
        return options.Kind switch
        {
            WorkloadKind.Synthetic => new SyntheticMultimodalWorkload(options, workloadSeed),
            WorkloadKind.Dataset => new DatasetReplayWorkload(options.DatasetPath!, options, workloadSeed),
            WorkloadKind.Mooncake => new MooncakeTraceWorkload(options.TracePath!, options, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown workload kind"),
        };
    }
}
