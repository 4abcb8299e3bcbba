namespace EpdCluster.LoadTests.Workloads;

/// <summary>One chat completion to send.</summary>
/// <param name="Index">Position in the workload (stable across runs with the same seed).</param>
/// <param name="Prompt">The user text.</param>
/// <param name="Images">Images after the text, in order.</param>
/// <param name="MaxTokens">Output length asked for (with ignore_eos, the length generated).</param>
/// <param name="TimestampSeconds">The workload's own arrival time (trace and dataset replay), or null.</param>
internal sealed record LoadRequest(int Index, string Prompt, IReadOnlyList<IRequestImage> Images, int MaxTokens, double? TimestampSeconds);
