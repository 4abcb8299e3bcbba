namespace EpdCluster.LoadTests.Workloads;

/// <summary>Where request contents come from.</summary>
internal enum WorkloadKind
{
    /// <summary>Generated text and images from distributions.</summary>
    Synthetic,

    /// <summary>A JSONL file of prompts, images, output lengths and optional time offsets.</summary>
    Dataset,

    /// <summary>A Mooncake trace: timestamps, lengths and prefix-block hash ids.</summary>
    Mooncake,
}
