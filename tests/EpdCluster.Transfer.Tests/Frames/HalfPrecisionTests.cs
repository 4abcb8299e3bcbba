using EpdCluster.Transfer.Frames;

namespace EpdCluster.Transfer.Tests.Frames;

public sealed class HalfPrecisionTests
{
    [Fact]
    public void Every_fp16_value_widens_exactly_as_the_scalar_cast_does_and_nan_stays_nan()
    {
        var halves = Enumerable.Range(0, 1 << 16).Select(bits => BitConverter.UInt16BitsToHalf((ushort)bits)).ToArray();
        var floats = new float[halves.Length];

        HalfPrecision.ToSingle(halves, floats);

        for (var i = 0; i < halves.Length; i++)
        {
            if (Half.IsNaN(halves[i]))
            {
                Assert.True(float.IsNaN(floats[i]), $"fp16 bits {i:x4} should widen to NaN");
            }
            else
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits((float)halves[i]), BitConverter.SingleToUInt32Bits(floats[i]));
            }
        }
    }

    [Fact]
    public void Narrowing_matches_the_scalar_cast_including_ties_subnormals_overflow_and_nan()
    {
        var random = new Random(7);
        var special = new[]
        {
            0f, -0f, 1f, -1f, 65504f, 65519.99f, 65520f, -70000f, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
            float.Epsilon, 5.96e-8f, 2.98e-8f, 6.1e-5f, 6.09e-5f, 1.00048828125f /* a tie */, 1.000732421875f, 2049f, 2051f,
        };
        var inputs = special
            .Concat(Enumerable.Range(0, 200_000).Select(_ => BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32))))
            .Concat(TestData.Floats(10_000, seed: 8))
            .ToArray();
        var halves = new Half[inputs.Length];

        HalfPrecision.ToHalf(inputs, halves);

        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = (Half)inputs[i];
            if (Half.IsNaN(expected))
            {
                Assert.True(Half.IsNaN(halves[i]), $"{inputs[i]} should stay NaN");
            }
            else
            {
                Assert.True(BitConverter.HalfToUInt16Bits(expected) == BitConverter.HalfToUInt16Bits(halves[i]), $"{inputs[i]:R}: expected {expected}, got {halves[i]}");
            }
        }
    }

    [Fact]
    public void A_byte_round_trip_stays_within_fp16_precision()
    {
        var values = TestData.Floats(1001, seed: 9); // odd length: exercises the scalar tail
        var bytes = new byte[values.Length * 2];
        var back = new float[values.Length];

        HalfPrecision.ToHalf(values, bytes);
        HalfPrecision.ToSingle(bytes, back);

        Assert.InRange(TestData.MaxRelativeError(values, back), 1e-6, 1.0 / 2048);
    }
}
