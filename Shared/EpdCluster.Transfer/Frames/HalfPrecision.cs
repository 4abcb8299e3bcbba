using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EpdCluster.Transfer.Frames;

/// <summary>
/// fp32 ↔ fp16 for payloads, bit-exact with <see cref="Half"/>'s casts (round to nearest even, overflow becomes ±∞)
/// except for NaN payload bits (NaN stays NaN). Vectorised with 256-bit integer lanes, using F. Giesen's branch-free conversions
/// ("half_to_float" and "float_to_half_fast3_rtne"), because the scalar casts cost more than a loopback copy.
/// </summary>
public static class HalfPrecision
{
    // float_to_half: bit patterns of the float thresholds and bias adjustments.
    private const int SignMask = unchecked((int)0x8000_0000);
    private const int Float16MaxAsFloat32 = (127 + 16) << 23;         // 65536.0f: at or above rounds to ∞
    private const int Float32Infinity = 255 << 23;
    private const int Float16SmallestNormal = 113 << 23;              // 2^-14 as float
    private const int DenormalMagic = ((127 - 15) + (23 - 10) + 1) << 23; // 0.5f: aligns denormal mantissa bits
    private const int ExponentRebias = unchecked((15 - 127) << 23);
    private const int RoundingBias = 0xfff;
    private const int Float16Infinity = 0x7c00;
    private const int Float16QuietNaN = 0x7e00;

    // half_to_float.
    private const int Float16ShiftedExponent = 0x7c00 << 13;
    private const int ExponentAdjust = (127 - 15) << 23;
    private const int InfinityAdjust = (128 - 16) << 23;
    private const int DenormalAdjust = 1 << 23;

    /// <summary>Converts <paramref name="source"/> to fp16 in <paramref name="destination"/> (same length).</summary>
    public static void ToHalf(ReadOnlySpan<float> source, Span<Half> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"Destination holds {destination.Length} halves; {source.Length} are needed.", nameof(destination));
        }

        var input = MemoryMarshal.Cast<float, int>(source);
        var output = MemoryMarshal.Cast<Half, ushort>(destination);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var inputRef = ref MemoryMarshal.GetReference(input);
            ref var outputRef = ref MemoryMarshal.GetReference(output);
            var step = Vector256<ushort>.Count;
            for (; i <= input.Length - step; i += step)
            {
                var low = ToHalfBits(Vector256.LoadUnsafe(ref inputRef, (nuint)i));
                var high = ToHalfBits(Vector256.LoadUnsafe(ref inputRef, (nuint)(i + Vector256<int>.Count)));
                Vector256.Narrow(low.AsUInt32(), high.AsUInt32()).StoreUnsafe(ref outputRef, (nuint)i);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = (Half)source[i];
        }
    }

    /// <summary>Converts <paramref name="source"/> to fp32 in <paramref name="destination"/> (same length).</summary>
    public static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats; {source.Length} are needed.", nameof(destination));
        }

        var input = MemoryMarshal.Cast<Half, ushort>(source);
        var output = MemoryMarshal.Cast<float, int>(destination);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var inputRef = ref MemoryMarshal.GetReference(input);
            ref var outputRef = ref MemoryMarshal.GetReference(output);
            var step = Vector256<ushort>.Count;
            for (; i <= input.Length - step; i += step)
            {
                var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref inputRef, (nuint)i));
                ToSingleBits(low.AsInt32()).StoreUnsafe(ref outputRef, (nuint)i);
                ToSingleBits(high.AsInt32()).StoreUnsafe(ref outputRef, (nuint)(i + Vector256<int>.Count));
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }

    /// <summary>fp32 → little-endian fp16 bytes (2 per value).</summary>
    public static void ToHalf(ReadOnlySpan<float> source, Span<byte> destination) =>
        ToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));

    /// <summary>Little-endian fp16 bytes → fp32.</summary>
    public static void ToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (source.Length % sizeof(ushort) != 0)
        {
            throw new ArgumentException($"fp16 data must have an even byte length, not {source.Length}.", nameof(source));
        }

        ToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> ToHalfBits(Vector256<int> bits)
    {
        var sign = bits & Vector256.Create(SignMask);
        var magnitude = bits ^ sign;

        var overflow = Vector256.GreaterThanOrEqual(magnitude, Vector256.Create(Float16MaxAsFloat32));
        var nanOrInfinity = Vector256.ConditionalSelect(
            Vector256.GreaterThan(magnitude, Vector256.Create(Float32Infinity)),
            Vector256.Create(Float16QuietNaN),
            Vector256.Create(Float16Infinity));

        var subnormal = Vector256.LessThan(magnitude, Vector256.Create(Float16SmallestNormal));
        var subnormalBits = (magnitude.AsSingle() + Vector256.Create(DenormalMagic).AsSingle()).AsInt32() - Vector256.Create(DenormalMagic);

        var mantissaOdd = Vector256.ShiftRightLogical(magnitude, 13) & Vector256<int>.One;
        var normalBits = Vector256.ShiftRightLogical(magnitude + Vector256.Create(ExponentRebias + RoundingBias) + mantissaOdd, 13);

        var result = Vector256.ConditionalSelect(overflow, nanOrInfinity, Vector256.ConditionalSelect(subnormal, subnormalBits, normalBits));
        return result | Vector256.ShiftRightLogical(sign, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> ToSingleBits(Vector256<int> half)
    {
        var shifted = Vector256.ShiftLeft(half & Vector256.Create(0x7fff), 13);
        var exponent = shifted & Vector256.Create(Float16ShiftedExponent);
        shifted += Vector256.Create(ExponentAdjust);

        var infinityOrNaN = Vector256.Equals(exponent, Vector256.Create(Float16ShiftedExponent));
        shifted += infinityOrNaN & Vector256.Create(InfinityAdjust);

        // Zero and subnormals: add one to the exponent, then subtract 2^-14 as a float to normalise.
        var subnormal = Vector256.Equals(exponent, Vector256<int>.Zero);
        var renormalised = ((shifted + Vector256.Create(DenormalAdjust)).AsSingle() - Vector256.Create(Float16SmallestNormal).AsSingle()).AsInt32();
        shifted = Vector256.ConditionalSelect(subnormal, renormalised, shifted);

        return shifted | Vector256.ShiftLeft(half & Vector256.Create(0x8000), 16);
    }
}
