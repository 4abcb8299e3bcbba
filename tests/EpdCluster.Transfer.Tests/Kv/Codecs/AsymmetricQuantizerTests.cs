using EpdCluster.Transfer.Kv.Codecs;

namespace EpdCluster.Transfer.Tests.Kv.Codecs;

/// <summary>Every dequantized value lies within half a quantization step of the original, whatever the group holds.</summary>
public sealed class AsymmetricQuantizerTests
{
    public static TheoryData<string, int> Groups => new()
    {
        { "random", 4 }, { "random", 2 }, { "constant", 4 }, { "constant", 2 }, { "zeros", 4 }, { "outlier", 4 },
        { "outlier", 2 }, { "large", 4 }, { "tiny", 2 }, { "negative", 4 }, { "two values", 2 }, { "single", 4 },
    };

    [Theory]
    [MemberData(nameof(Groups))]
    public void Dequantized_values_are_within_half_a_step(string kind, int bits)
    {
        var values = Group(kind);
        var codes = new byte[values.Length];

        var (min, step) = AsymmetricQuantizer.Quantize(values, 0, 1, bits, codes);
        var restored = new float[values.Length];
        AsymmetricQuantizer.Dequantize(codes, min, step, restored, 0, 1);

        Assert.All(codes, c => Assert.InRange(c, 0, AsymmetricQuantizer.Levels(bits)));
        Assert.True((float)min <= values.Min(), $"min {min} above the smallest value {values.Min()}");
        // The step may exceed (max - min)/levels only by fp16 rounding of min (one fp16 ulp) and of the step itself.
        var expectedStep = (values.Max() - values.Min() + (Math.Abs(values.Min()) / 1024)) / AsymmetricQuantizer.Levels(bits);
        Assert.True((float)step <= (expectedStep * 1.002) + 1e-7f, $"step {step} is above (max - min)/levels = {expectedStep} beyond fp16 rounding");
        for (var i = 0; i < values.Length; i++)
        {
            var error = Math.Abs(values[i] - restored[i]);
            Assert.True(error <= ((float)step / 2 * 1.0001f) + (1e-6f * Math.Abs(values[i])), $"{kind}[{i}]: |{values[i]} - {restored[i]}| = {error} > step/2 = {(float)step / 2}");
        }
    }

    [Fact]
    public void A_constant_group_that_fp16_represents_comes_back_exactly()
    {
        float[] values = [0.5f, 0.5f, 0.5f, 0.5f];
        var codes = new byte[4];

        var (min, step) = AsymmetricQuantizer.Quantize(values, 0, 1, 4, codes);

        Assert.Equal(Half.Zero, step);
        Assert.Equal(0.5f, (float)min);
    }

    [Fact]
    public void Values_beyond_fp16_range_or_not_finite_are_refused()
    {
        var codes = new byte[2];

        Assert.Throws<KvCodecException>(() => AsymmetricQuantizer.Quantize([0f, 1e6f], 0, 1, 4, codes));
        Assert.Throws<KvCodecException>(() => AsymmetricQuantizer.Quantize([0f, float.NaN], 0, 1, 4, codes));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Packed_codes_unpack_to_the_same_codes(int bits)
    {
        var random = new Random(bits);
        var codes = Enumerable.Range(0, 37).Select(_ => (byte)random.Next(1 << bits)).ToArray();
        var packed = new byte[BitPacking.PackedLength(codes.Length, bits)];

        BitPacking.Pack(codes, bits, packed);
        var unpacked = new byte[codes.Length];
        BitPacking.Unpack(packed, bits, unpacked);

        Assert.Equal(codes, unpacked);
        Assert.Equal(((37 * bits) + 7) / 8, packed.Length); // 4-bit: two codes per byte
    }

    private static float[] Group(string kind)
    {
        var random = new Random(kind.Length);
        return kind switch
        {
            "random" => [.. Enumerable.Range(0, 128).Select(_ => (float)((random.NextDouble() * 6) - 3))],
            "constant" => [.. Enumerable.Repeat(0.123456f, 32)],
            "zeros" => new float[32],
            "outlier" => [.. Enumerable.Range(0, 32).Select(i => i == 17 ? 500f : (float)(random.NextDouble() * 1e-3))],
            "large" => [.. Enumerable.Range(0, 32).Select(i => 1000.3f + (i * 0.01f))],
            "tiny" => [.. Enumerable.Range(0, 32).Select(i => (float)(random.NextDouble() * 1e-6))],
            "negative" => [.. Enumerable.Range(0, 32).Select(i => -7f - (float)random.NextDouble())],
            "two values" => [.. Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? -1f : 1f)],
            "single" => [3.14159f],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }
}
