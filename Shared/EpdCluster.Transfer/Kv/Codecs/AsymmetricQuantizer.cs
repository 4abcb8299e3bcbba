namespace EpdCluster.Transfer.Kv.Codecs;

/// <summary>
/// Asymmetric min/max quantization of one group to b-bit codes: step s = (max − min)/(2^b − 1), code = round((x − min)/s).
/// Min and step are fp16; min is rounded down and step up, so the group's range stays covered and every value comes
/// back within half a step of the original.
/// </summary>
internal static class AsymmetricQuantizer
{
    /// <summary>The group's fp16 minimum and step.</summary>
    public static (Half Min, Half Step) Range(float min, float max, int bits)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max))
        {
            throw new KvCodecException($"KV values must be finite to quantize; found {min}..{max}.");
        }

        var low = RoundDown(min);
        var span = ((double)max - (double)(float)low) / Levels(bits);
        var step = span <= 0 ? Half.Zero : RoundUp(span);
        if (!Half.IsFinite(low) || !Half.IsFinite(step))
        {
            throw new KvCodecException($"KV values {min}..{max} exceed fp16's range; they cannot carry fp16 quantization parameters.");
        }

        return (low, step);
    }

    public static int Levels(int bits) => (1 << bits) - 1;

    /// <summary>Quantizes data[start + i·stride] for i below codes.Length into <paramref name="codes"/>; returns the group's min and step.</summary>
    public static (Half Min, Half Step) Quantize(ReadOnlySpan<float> data, int start, int stride, int bits, Span<byte> codes)
    {
        var (min, max) = (float.PositiveInfinity, float.NegativeInfinity);
        for (var i = 0; i < codes.Length; i++)
        {
            var x = data[start + (i * stride)];
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }

        var (low, step) = Range(min, max, bits);
        var (origin, scale, levels) = ((float)low, (float)step, Levels(bits));
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = scale == 0 ? (byte)0 : (byte)Math.Clamp((int)MathF.Round((data[start + (i * stride)] - origin) / scale), 0, levels);
        }

        return (low, step);
    }

    /// <summary>Writes min + code·step to data[start + i·stride] for each code.</summary>
    public static void Dequantize(ReadOnlySpan<byte> codes, Half min, Half step, Span<float> data, int start, int stride)
    {
        var (origin, scale) = ((float)min, (float)step);
        for (var i = 0; i < codes.Length; i++)
        {
            data[start + (i * stride)] = origin + (codes[i] * scale);
        }
    }

    private static Half RoundDown(float value)
    {
        var half = (Half)value;
        return (float)half > value ? Half.BitDecrement(half) : half;
    }

    private static Half RoundUp(double value)
    {
        var half = (Half)value;
        return (double)half < value ? Half.BitIncrement(half) : half;
    }
}
