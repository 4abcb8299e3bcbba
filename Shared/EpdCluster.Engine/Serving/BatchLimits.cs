namespace EpdCluster.Engine.Serving;

/// <summary>What bounds an engine's continuous batching: the KV pool, the step's size and how long leases last.</summary>
/// <param name="BlockSize">Tokens per KV block.</param>
/// <param name="TotalBlocks">KV blocks in the pool.</param>
/// <param name="WatermarkFraction">Share of the pool kept free when admitting new work.</param>
/// <param name="MaxBatchSize">Most sequences in one step.</param>
/// <param name="MaxBatchTokens">Most tokens in one step; longer prompts are chunked.</param>
/// <param name="KvLease">How long reserved or parked blocks wait for their transfer.</param>
internal sealed record BatchLimits(int BlockSize, int TotalBlocks, double WatermarkFraction, int MaxBatchSize, int MaxBatchTokens, TimeSpan KvLease);
