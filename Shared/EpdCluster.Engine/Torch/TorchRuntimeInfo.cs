namespace EpdCluster.Engine.Torch;

/// <summary>What libtorch reported when the engine checked it at start-up.</summary>
public sealed record TorchRuntimeInfo(string TorchSharpVersion, string Device, int InterOpThreads, int IntraOpThreads);
