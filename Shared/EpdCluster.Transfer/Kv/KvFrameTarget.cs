namespace EpdCluster.Transfer.Kv;

/// <summary>A sink's answer for one frame: the memory its payload lands in, or why the transfer is refused.</summary>
public readonly record struct KvFrameTarget
{
    private KvFrameTarget(Memory<byte> destination, string? refusal)
    {
        Destination = destination;
        RefusalReason = refusal;
    }

    public Memory<byte> Destination { get; }

    public string? RefusalReason { get; }

    public bool IsRefused => RefusalReason is not null;

    public static KvFrameTarget Accept(Memory<byte> destination) => new(destination, null);

    public static KvFrameTarget Refuse(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new KvFrameTarget(Memory<byte>.Empty, reason);
    }
}
