namespace EpdCluster.Abstractions;

/// <summary>The stage a worker serves. A worker holds one role at a time (all three in all-in-one mode).</summary>
[GenerateSerializer, Alias("epd.WorkerRole")]
public enum WorkerRole
{
    Encode = 0,
    Prefill = 1,
    Decode = 2,
}
