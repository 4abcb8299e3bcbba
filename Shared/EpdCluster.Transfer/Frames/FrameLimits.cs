namespace EpdCluster.Transfer.Frames;

/// <summary>Bounds a reader enforces before allocating or reading anything a peer announced.</summary>
/// <param name="MaxHeaderBytes">Largest header accepted (real headers are ~50–200 bytes).</param>
/// <param name="MaxPayloadBytes">Largest payload accepted in one frame.</param>
public readonly record struct FrameLimits(int MaxHeaderBytes, long MaxPayloadBytes)
{
    /// <summary>64 KiB: a header holds a few ids and a shape; anything near this is a corrupt or hostile length.</summary>
    public const int DefaultMaxHeaderBytes = 64 * 1024;

    /// <summary>256 MiB: far above a default frame (8 KV blocks, ~1 MiB for epd-tiny), below what would exhaust a worker.</summary>
    public const long DefaultMaxPayloadBytes = 256L * 1024 * 1024;

    public static FrameLimits Default { get; } = new(DefaultMaxHeaderBytes, DefaultMaxPayloadBytes);
}
