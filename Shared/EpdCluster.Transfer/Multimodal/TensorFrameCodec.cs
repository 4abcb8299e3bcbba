using System.Buffers;
using System.Runtime.InteropServices;
using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Multimodal;

/// <summary>float tensors ↔ frame payloads in the configured precision, and whole frames for Redis values.</summary>
internal static class TensorFrameCodec
{
    public static int PayloadBytes(TensorDType dtype, int elements) =>
        checked(elements * (dtype == TensorDType.F16 ? sizeof(ushort) : sizeof(float)));

    /// <summary>Writes <paramref name="values"/> in <paramref name="dtype"/> into <paramref name="payload"/> (exactly <see cref="PayloadBytes"/> long).</summary>
    public static void WritePayload(ReadOnlySpan<float> values, TensorDType dtype, Span<byte> payload)
    {
        if (dtype == TensorDType.F16)
        {
            HalfPrecision.ToHalf(values, payload);
        }
        else
        {
            MemoryMarshal.AsBytes(values).CopyTo(payload);
        }
    }

    /// <summary>A whole frame (header + payload in <paramref name="dtype"/>) holding <paramref name="values"/>.</summary>
    public static byte[] EncodeFrame(FrameHeader header, ReadOnlySpan<float> values, TensorDType dtype)
    {
        var length = PayloadBytes(dtype, values.Length);
        var payload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            WritePayload(values, dtype, payload.AsSpan(0, length));
            return FrameBuffer.Encode(header with { DType = dtype.WireName() }, payload.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>Elements in a verified payload of wire dtype <paramref name="dtype"/>.</summary>
    public static int ElementCount(string dtype, int payloadBytes) => dtype switch
    {
        TensorDTypes.Float16 => payloadBytes / sizeof(ushort),
        TensorDTypes.Float32 => payloadBytes / sizeof(float),
        _ => throw new FrameFormatException($"A float tensor frame cannot have dtype '{dtype}'."),
    };

    /// <summary>Converts a verified payload of wire dtype <paramref name="dtype"/> into <paramref name="destination"/>.</summary>
    public static void ReadPayload(ReadOnlySpan<byte> payload, string dtype, Span<float> destination)
    {
        switch (dtype)
        {
            case TensorDTypes.Float16:
                HalfPrecision.ToSingle(payload, destination);
                break;
            case TensorDTypes.Float32:
                MemoryMarshal.Cast<byte, float>(payload).CopyTo(destination);
                break;
            default:
                throw new FrameFormatException($"A float tensor frame cannot have dtype '{dtype}'.");
        }
    }
}
