using EpdCluster.Abstractions.Workers;
using EpdCluster.Engine.Serving;

namespace EpdCluster.Runtime.Workers;

internal static class WorkerLoads
{
    public static WorkerLoad From(IWorkerEngine engine)
    {
        var llm = engine.Llm.Stats;
        return new WorkerLoad(llm.QueuedPromptTokens, llm.Waiting, llm.Running, llm.FreeBlocks, llm.TotalBlocks,
            engine.Encoder.QueuedTiles, engine.Encoder.EncodedTiles, llm.GeneratedTokens);
    }
}
