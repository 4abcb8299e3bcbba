namespace EpdCluster.Simulation.Simulation;

/// <summary>A simulated worker as a scheduler sees it at one instant: role, drain state and load.</summary>
/// <param name="DecodeSequences">Sequences decoding or waiting to decode there.</param>
public sealed record SimWorkerView(int Id, StageRole Role, bool Draining, int FreeBlocks, int TotalBlocks, long QueuedPromptTokens, int QueuedTiles, int DecodeSequences);
