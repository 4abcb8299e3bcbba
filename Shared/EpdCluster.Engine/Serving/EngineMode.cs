namespace EpdCluster.Engine.Serving;

/// <summary>What a worker's engine runs on (<c>Epd:Engine:Mode</c>).</summary>
public enum EngineMode
{
    /// <summary>The TorchSharp model: real tensors, real tokens.</summary>
    Torch,

    /// <summary>A timing profile replayed without tensors: deterministic tokens, modelled KV blocks, batching and transfer time.</summary>
    Simulated,
}
