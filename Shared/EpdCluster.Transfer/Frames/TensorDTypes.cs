namespace EpdCluster.Transfer.Frames;

/// <summary>The element types a frame header names, and their sizes.</summary>
public static class TensorDTypes
{
    public const string Float32 = "f32";
    public const string Float16 = "f16";

    /// <summary>Opaque bytes (no tensor, or a payload only its producer interprets).</summary>
    public const string Bytes = "u8";

    public static string WireName(this TensorDType dtype) => dtype switch
    {
        TensorDType.F32 => Float32,
        TensorDType.F16 => Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown tensor dtype."),
    };

    /// <summary>Bytes per element of a wire dtype name.</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        Float32 => sizeof(float),
        Float16 => sizeof(ushort),
        Bytes => sizeof(byte),
        _ => throw new FrameFormatException($"Unknown frame dtype '{dtype}' (expected {Float32}, {Float16} or {Bytes})."),
    };
}
