using EpdCluster.Transfer.Kv.Codecs;
using MessagePack;

namespace EpdCluster.Transfer.Frames;

/// <summary>
/// The MessagePack header in front of every frame's raw payload. Integer keys keep it small (tens of bytes) and let
/// later versions add keys without breaking readers of this one.
/// </summary>
[MessagePackObject]
public sealed record FrameHeader
{
    /// <summary>The header layout this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    [Key(0)] public int Version { get; init; } = CurrentVersion;

    [Key(1)] public FrameKind Kind { get; init; }

    /// <summary>The request the payload belongs to (KV transfers, acks); 0 where no request applies (cache entries).</summary>
    [Key(2)] public long RequestId { get; init; }

    /// <summary>This frame's position in its transfer, 0-based.</summary>
    [Key(3)] public int Index { get; init; }

    /// <summary>Frames in the whole transfer (1 for a single-frame value).</summary>
    [Key(4)] public int Count { get; init; } = 1;

    /// <summary>Element type of the payload: <c>f32</c>, <c>f16</c> or <c>u8</c> (see <see cref="TensorDTypes"/>).</summary>
    [Key(5)] public string DType { get; init; } = TensorDTypes.Bytes;

    /// <summary>Tensor shape of this frame's payload (e.g. [blocks, floatsPerBlock] or [tokens, width]).</summary>
    [Key(6)] public int[] Shape { get; init; } = [];

    /// <summary>Byte length of the payload that follows the header.</summary>
    [Key(7)] public long PayloadLength { get; init; }

    /// <summary>XxHash64 of the payload bytes.</summary>
    [Key(8)] public ulong Checksum { get; init; }

    /// <summary>Byte offset of this frame's payload within the whole transfer, so a receiver can place it without counting.</summary>
    [Key(9)] public long Offset { get; init; }

    [Key(10)] public string? ModelId { get; init; }

    [Key(11)] public string? ImageHash { get; init; }

    /// <summary>Why a transfer failed (<see cref="FrameKind.Error"/> frames).</summary>
    [Key(12)] public string? ErrorMessage { get; init; }

    /// <summary>KV frames of a compressed transfer: the codec and its parameters (null: raw fp32 blocks).</summary>
    [Key(13)] public KvEncoding? KvEncoding { get; init; }

    public override string ToString() => $"{Kind} frame {Index + 1}/{Count} of request {RequestId} ({PayloadLength} bytes)";
}
